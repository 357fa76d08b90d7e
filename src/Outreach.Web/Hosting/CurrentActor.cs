namespace Outreach.Web.Hosting;

/// <summary>
/// Who is making a change, for the stage history. Until sign-in exists this is the name a person typed in the
/// header (kept in a cookie) or the configured default; a signed-in identity will take precedence.
/// </summary>
public sealed class CurrentActor(IHttpContextAccessor http, Microsoft.Extensions.Options.IOptions<OutreachOptions> options)
{
    public const string Cookie = "outreach-actor";
    public const int MaxLength = 100;

    public string Name
    {
        get
        {
            var context = http.HttpContext;
            if (context?.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } signedIn }) return signedIn;
            var typed = context?.Request.Cookies[Cookie];
            return Clean(typed) ?? options.Value.DefaultActor;
        }
    }

    public static string? Clean(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        var trimmed = new string(name.Trim().Where(c => !char.IsControl(c)).ToArray());
        return trimmed.Length == 0 ? null : trimmed.Length > MaxLength ? trimmed[..MaxLength] : trimmed;
    }
}
