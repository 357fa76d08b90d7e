namespace Outreach.Jobs.Scheduling;

/// <summary>
/// Identifies this node (shown on the jobs page, used to clean up runs and claims a crash left behind). It must be the same
/// across restarts of the node, so it is the configured Jobs:NodeName or the machine name, never a process id.
/// </summary>
public sealed record NodeIdentity(string Name)
{
    public static NodeIdentity From(JobsOptions options) =>
        new(string.IsNullOrWhiteSpace(options.NodeName) ? Environment.MachineName : options.NodeName.Trim());

    /// <summary>
    /// A claimer name for one run on this node ("node/run"): claims that are exclusive between names stay exclusive between two
    /// runs that overlap on one node (two Hangfire workers), and the node still shows in it.
    /// </summary>
    public string ForOneRun() => $"{Name}/{Guid.NewGuid():N}";

    /// <summary>The node part of a name made by <see cref="ForOneRun"/>.</summary>
    public static string NodeOf(string claimer) => claimer.Split('/')[0];
}
