namespace Outreach.Jobs.Scheduling;

/// <summary>
/// Identifies this node (shown on the jobs page, used to clean up runs and claims a crash left behind). It must be the same
/// across restarts of the node, so it is the configured Jobs:NodeName or the machine name, never a process id.
/// </summary>
public sealed record NodeIdentity(string Name)
{
    public static NodeIdentity From(JobsOptions options) =>
        new(string.IsNullOrWhiteSpace(options.NodeName) ? Environment.MachineName : options.NodeName.Trim());
}
