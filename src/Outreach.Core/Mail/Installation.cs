namespace Outreach.Core.Mail;

/// <summary>
/// This installation's identity: a random id drawn once when its database was made. Ids derived from database keys (which
/// start over in every installation) are combined with it to be unique across installations, such as a mail's Message-ID.
/// </summary>
public interface IInstallation
{
    /// <summary>The id; the same on every node and after every restart of this installation.</summary>
    Task<string> GetIdAsync(CancellationToken ct);
}

/// <summary>A fixed id (tests, and a host without a database).</summary>
public sealed class FixedInstallation(string id) : IInstallation
{
    public Task<string> GetIdAsync(CancellationToken ct) => Task.FromResult(id);
}
