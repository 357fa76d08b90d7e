using System.Security.Cryptography;
using System.Text;
using Outreach.Core.Mail;

namespace Outreach.Mail;

/// <summary>Configuration section "Mail".</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>Pickup (the default: .eml files in <see cref="PickupFolder"/>) or Graph.</summary>
    public string Provider { get; set; } = "Pickup";
    /// <summary>Where the .eml files go; empty: a "mail" folder beside the embedded database (Storage:DataFolder).</summary>
    public string PickupFolder { get; set; } = "";
    public string FromAddress { get; set; } = "outreach@secretariat.invalid";
    public string FromName { get; set; } = "Covenant secretariat";
    /// <summary>How often each node looks for due mail.</summary>
    public int DispatchIntervalSeconds { get; set; } = 15;
    /// <summary>Pickup only: at most this many mails a minute (0, the default: no limit). Graph has its own (Graph:MaxPerMinute).</summary>
    public int MaxPerMinute { get; set; }
}

/// <summary>
/// The embedded delivery: each mail becomes one .eml file named after its idempotency key, written to a temporary name and
/// renamed into place, so a file is either whole or absent. The file's existence is the delivery record: sending a key twice
/// finds the file and writes nothing, and a crash after the rename is caught by <see cref="WasDeliveredAsync"/>.
/// </summary>
public sealed class PickupFolderDelivery(MailOptions options, TimeProvider clock, IInstallation installation) : IMailDelivery, IDeliveredMail
{
    private readonly string folder = Path.GetFullPath(options.PickupFolder);

    public async Task<DeliveryReceipt> SendAsync(OutboxMail mail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        CreateFolder();
        var target = PathFor(mail.Mail.IdempotencyKey);
        if (File.Exists(target)) return await ReceiptAsync(mail.Mail.IdempotencyKey, target, ct);
        var messageId = await MessageIdAsync(mail.Mail.IdempotencyKey, ct);
        var receipt = new DeliveryReceipt(messageId, null);
        var bytes = EmlWriter.Write(mail, options.FromAddress, options.FromName, clock.GetUtcNow(), messageId);
        var temp = Path.Combine(folder, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using (var file = new FileStream(temp, OwnerOnlyFile))
            {
                await file.WriteAsync(bytes, ct);
                await file.FlushAsync(ct);
            }

            // Another dispatcher may have written the same key meanwhile: then its file stands and this copy goes.
            try { File.Move(temp, target, overwrite: false); }
            catch (IOException) when (File.Exists(target)) { return await ReceiptAsync(mail.Mail.IdempotencyKey, target, ct); }
        }
        catch (IOException ex)
        {
            throw new MailDeliveryException($"Could not write the mail to {folder}: {ex.Message}", inner: ex);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }

        return receipt;
    }

    // Mail holds personal data: the folder and files are this account's only (0700 and 0600 on Unix); the rename keeps the mode.
    private static readonly FileStreamOptions OwnerOnlyFile = OperatingSystem.IsWindows()
        ? new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.WriteThrough }
        : new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.WriteThrough, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };

    private void CreateFolder()
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else if (!Directory.Exists(folder)) Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public async Task<DeliveryReceipt?> WasDeliveredAsync(string idempotencyKey, CancellationToken ct)
    {
        var path = PathFor(idempotencyKey);
        return File.Exists(path) ? await ReceiptAsync(idempotencyKey, path, ct) : null;
    }

    /// <summary>
    /// The Message-ID of a written file: the one in the file (so a later change of Mail:FromAddress cannot make the receipt
    /// disagree with what was sent), else the derived one (<see cref="EmlWriter.MessageId"/>). A file has no conversation id.
    /// </summary>
    private async Task<DeliveryReceipt> ReceiptAsync(string idempotencyKey, string path, CancellationToken ct)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var headers = await MimeKit.HeaderList.LoadAsync(file, ct);
            if (headers[MimeKit.HeaderId.MessageId] is { Length: > 0 } written) return new DeliveryReceipt(written.Trim(), null);
        }
        catch (Exception ex) when (ex is IOException or FormatException or MimeKit.ParseException) { } // removed meanwhile, or unreadable: derive it
        return new DeliveryReceipt(await MessageIdAsync(idempotencyKey, ct), null);
    }

    private async Task<string> MessageIdAsync(string idempotencyKey, CancellationToken ct) =>
        EmlWriter.MessageId(await installation.GetIdAsync(ct), idempotencyKey, options.FromAddress);

    /// <summary>Erasure: removes the delivered file of a key (the person's copy of the mail stays in their own mailbox).</summary>
    public Task EraseAsync(string idempotencyKey, CancellationToken ct)
    {
        var path = PathFor(idempotencyKey);
        if (File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }

    /// <summary>
    /// At a node's start: the temporary files a crash left mid-write (never renamed, so never delivered: the mail's row was
    /// claimed again and written anew). Only files older than a minute go: a folder shared by several nodes may hold one
    /// another node is writing now.
    /// </summary>
    public Task<int> RemoveUnfinishedAsync(CancellationToken ct)
    {
        if (!Directory.Exists(folder)) return Task.FromResult(0);
        var before = clock.GetUtcNow().UtcDateTime - UnfinishedAge;
        var removed = 0;
        foreach (var temp in Directory.EnumerateFiles(folder, ".*.eml.*.tmp"))
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                if (File.GetLastWriteTimeUtc(temp) > before) continue;
                File.Delete(temp);
                removed++;
            }
            catch (IOException) { } // gone meanwhile, or still open: the next start tries again
        }

        return Task.FromResult(removed);
    }

    /// <summary>Writing one .eml takes milliseconds; a temporary file this old belongs to no live write.</summary>
    public static readonly TimeSpan UnfinishedAge = TimeSpan.FromMinutes(1);

    public string PathFor(string idempotencyKey) =>
        Path.Combine(folder, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..40].ToLowerInvariant() + ".eml");
}
