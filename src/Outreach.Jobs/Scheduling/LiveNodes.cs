using Hangfire;

namespace Outreach.Jobs.Scheduling;

/// <summary>
/// Whether another live process runs under this node's name, read from Hangfire's server list (ids are "name:pid:guid").
/// A record left by this node's own crashed predecessor stays until it times out, so a record alone proves nothing: only a
/// heartbeat that moves while we watch does. Heartbeats are written on the system clock, so the watch runs on it too. The
/// storage is resolved when asked, after the database (and Hangfire's schema) is migrated.
/// </summary>
public sealed class LiveNodes(Func<JobStorage> storage)
{
    /// <summary>Two heartbeat intervals (10 s each) and a margin.</summary>
    public static readonly TimeSpan Watch = TimeSpan.FromSeconds(25);

    public async Task<bool> IsNameInUseAsync(string node, TimeSpan watch, CancellationToken ct)
    {
        var before = Beats(node);
        if (before.Count == 0) return false;
        await Task.Delay(watch, TimeProvider.System, ct);
        return Beats(node).Any(s => !before.TryGetValue(s.Key, out var earlier) || s.Value > earlier);
    }

    private Dictionary<string, DateTime?> Beats(string node)
    {
        var prefix = node.ToLowerInvariant() + ":";
        // This process's own server is no twin: the outbox's start check runs beside Hangfire's start (a hosted service's
        // ExecuteAsync no longer runs first), so the node's own record may already be there and beating.
        var own = $"{prefix}{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}:";
        return storage().GetMonitoringApi().Servers()
            .Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal) && !s.Name.StartsWith(own, StringComparison.Ordinal))
            .ToDictionary(s => s.Name, s => s.Heartbeat, StringComparer.Ordinal);
    }
}
