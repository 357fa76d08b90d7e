namespace Outreach.Web.Access;

/// <summary>The three things a caller may be allowed to do.</summary>
public static class Policies
{
    /// <summary>Any signed-in role: the board, prospects, reports.</summary>
    public const string Read = "read";
    /// <summary>The secretariat and administrators: change prospects, import, run jobs.</summary>
    public const string Edit = "edit";
    /// <summary>Administrators: users and settings.</summary>
    public const string Admin = "admin";
    /// <summary>
    /// The reporting feed (Power BI): managers and administrators. A secretariat key is refused, so that a reporting tool
    /// is never given a key that can also change prospects: give it a key with the manager role.
    /// </summary>
    public const string Feed = "feed";
}
