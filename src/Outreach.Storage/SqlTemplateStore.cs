using System.Globalization;
using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Mail;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Storage;

/// <summary>Versioned mail templates: rows are only ever added, so every version a mail used stays readable.</summary>
public sealed class SqlTemplateStore(Database db, IAuditActor? actor = null) : ITemplateStore
{
    private readonly IAuditActor auditActor = actor ?? new AmbientAuditActor();

    private const string Columns =
        "key AS Key, language AS Language, version AS Version, subject AS Subject, html AS Html, text AS Text, created_at AS CreatedAt, created_by AS CreatedBy";

    public async Task<IReadOnlyList<MailTemplate>> ListLatestAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM mail_template t
            WHERE version = (SELECT MAX(version) FROM mail_template x WHERE x.key = t.key AND x.language = t.language)
            ORDER BY key, language
            """, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<IReadOnlyList<MailTemplate>> ListVersionsAsync(string key, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_template WHERE key = @key ORDER BY version DESC, language", new { key }, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
    }

    public async Task<MailTemplate?> GetAsync(string key, ContactLanguage language, int? version, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM mail_template WHERE key = @key AND language = @language
            {(version is null ? "ORDER BY version DESC LIMIT 1" : "AND version = @version")}
            """,
            new { key, language = language.Code(), version }, cancellationToken: ct)))?.ToDomain();
    }

    public async Task<MailTemplate> AddVersionAsync(string key, ContactLanguage language, string subject, string html, string text, DateTimeOffset at, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var previous = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mail_template WHERE key = @key AND language = @language ORDER BY version DESC LIMIT 1{db.ForUpdate}",
            new { key, language = language.Code() }, tx, cancellationToken: ct));
        var version = (previous?.Version ?? 0) + 1;
        var by = auditActor.Name;
        // The unique (key, language, version) makes a concurrent save of the same version fail rather than overwrite.
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mail_template (key, language, version, subject, html, text, created_at, created_by) VALUES (@key, @language, @version, @subject, @html, @text, @at, @by)",
            new { key, language = language.Code(), version, subject, html, text, at, by }, tx, cancellationToken: ct));
        await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Template, $"{key}/{language.Code()}", "version_added", AuditDiff.Between(
        [
            new("version", previous?.Version.ToString(CultureInfo.InvariantCulture), version.ToString(CultureInfo.InvariantCulture)),
            new("subject", previous?.Subject, subject),
            new("html", previous?.Html, html),
            new("text", previous?.Text, text),
        ])), ct);
        await tx.CommitAsync(ct);
        return new MailTemplate(key, language, version, subject, html, text) { CreatedAt = at, CreatedBy = by };
    }

    public async Task<IReadOnlyList<MailTemplate>> AddPurposeAsync(string key, IReadOnlyList<MailTemplate> firstVersions, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(firstVersions);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var taken = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM mail_template WHERE key = @key", new { key }, tx, cancellationToken: ct));
        if (taken > 0) throw new Core.Access.DuplicateNameException(key);
        var by = auditActor.Name;
        var saved = new List<MailTemplate>();
        foreach (var t in firstVersions)
        {
            // The unique (key, language, version) makes a second purpose of the same key, made at the same moment, fail.
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO mail_template (key, language, version, subject, html, text, created_at, created_by) VALUES (@key, @language, 1, @Subject, @Html, @Text, @at, @by)",
                new { key, language = t.Language.Code(), t.Subject, t.Html, t.Text, at, by }, tx, cancellationToken: ct));
            await SqlAudit.AppendAsync(c, tx, at, by, new AuditRecord(AuditEntities.Template, $"{key}/{t.Language.Code()}", "created", AuditDiff.Between(
            [
                new("version", null, "1"),
                new("subject", null, t.Subject),
                new("html", null, t.Html),
                new("text", null, t.Text),
            ])), ct);
            saved.Add(new MailTemplate(key, t.Language, 1, t.Subject, t.Html, t.Text) { CreatedAt = at, CreatedBy = by });
        }

        await tx.CommitAsync(ct);
        return saved;
    }

    public async Task<int> SeedAsync(IEnumerable<MailTemplate> builtIns, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(builtIns);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await Database.BeginWriteAsync(c, ct);
        var added = 0;
        foreach (var t in builtIns)
        {
            added += await c.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO mail_template (key, language, version, subject, html, text, created_at, created_by)
                SELECT @Key, @language, 1, @Subject, @Html, @Text, @at, 'built in'
                WHERE NOT EXISTS (SELECT 1 FROM mail_template WHERE key = @Key AND language = @language)
                """,
                new { t.Key, language = t.Language.Code(), t.Subject, t.Html, t.Text, at }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return added;
    }

    private sealed class Row
    {
        public string Key { get; init; } = "";
        public string Language { get; init; } = "";
        public int Version { get; init; }
        public string Subject { get; init; } = "";
        public string Html { get; init; } = "";
        public string Text { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";

        public MailTemplate ToDomain() => new(Key, ContactLanguages.Parse(Language), Version, Subject, Html, Text) { CreatedAt = CreatedAt, CreatedBy = CreatedBy };
    }
}
