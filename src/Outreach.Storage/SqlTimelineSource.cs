using System.Text;
using Dapper;
using Outreach.Core.Activities;

namespace Outreach.Storage;

/// <summary>
/// A prospect's timeline in one query per page: a UNION ALL of one branch per source, each reading its own index by (prospect,
/// or the organisation's contacts, time) newest first with the page's keyset condition and limit, then merged and cut to the
/// page. Touches of the organisation (mail, replies, invitations, a deletion in Dynamics) show on each of its prospects; those
/// of one covenant's pipeline (activities, stage changes, enrolments, onboarding milestones) on that prospect only.
/// </summary>
public sealed class SqlTimelineSource(Database db) : ITimelineSource
{
    /// <summary>The actor of the Dynamics sync's own changes (a prospect started from a covenant set in Dynamics).</summary>
    public const string SyncActor = "Dynamics 365 sync";

    private const string Org = "(SELECT pe.organisation_id FROM pipeline_entry pe WHERE pe.id = @prospectId)";

    /// <summary>One source: its time expression, id expression, the rest of its select list, its FROM and WHERE, and its order.</summary>
    private sealed record Branch(TimelineSource Source, string Time, string Id, string Select, string FromWhere);

    private static string Columns(
        string actor = "CAST(NULL AS text)", string contactId = "CAST(NULL AS bigint)", string contactName = "CAST(NULL AS text)",
        string code = "CAST(NULL AS text)", string code2 = "CAST(NULL AS text)", string code3 = "CAST(NULL AS text)", string title = "CAST(NULL AS text)",
        string text = "CAST(NULL AS text)", string place = "CAST(NULL AS text)", string people = "CAST(NULL AS text)", string others = "CAST(NULL AS text)",
        string number = "CAST(NULL AS bigint)", string related = "CAST(NULL AS bigint)", string other = "CAST(NULL AS timestamptz)", string fromDynamics = "0",
        string titleNl = "CAST(NULL AS text)", string onDay = "CAST(NULL AS date)", string link = "CAST(NULL AS text)") =>
        $"{actor} AS actor, {contactId} AS contactid, {contactName} AS contactname, {code} AS code, {code2} AS code2, {code3} AS code3, {title} AS title, " +
        $"{text} AS body, {place} AS place, {people} AS people, {others} AS others, {number} AS number, {related} AS relatedid, {other} AS other, {fromDynamics} AS fromdynamics, " +
        $"{titleNl} AS titlenl, {onDay} AS onday, {link} AS link";

    private IReadOnlyList<Branch> Branches() =>
    [
        new(TimelineSource.Activity, "a.occurred_at", "a.id", Columns(
                actor: "a.author", code: "a.kind", code2: "a.direction", code3: "a.outcome", text: "a.text", place: "a.location",
                people: $"(SELECT {db.Dialect.StringAgg("ac.contact_name", "', '")} FROM activity_contact ac WHERE ac.activity_id = a.id AND ac.contact_name IS NOT NULL)",
                others: "a.other_attendees", number: "CAST(a.duration_minutes AS bigint)", related: "a.corrects_id", other: "a.created_at",
                fromDynamics: "CASE WHEN a.origin = 'dynamics' THEN 1 ELSE 0 END"),
            "FROM activity a WHERE a.prospect_id = @prospectId"),
        new(TimelineSource.StageChange, "s.changed_at", "s.id", Columns(
                actor: "s.changed_by", code: "s.to_stage", code2: "s.from_stage", text: "s.reason",
                fromDynamics: $"CASE WHEN s.changed_by = '{SyncActor}' THEN 1 ELSE 0 END"),
            "FROM stage_change s WHERE s.entry_id = @prospectId"),
        new(TimelineSource.MailSent, "m.sent_at", "m.id", Columns(
                contactId: "m.contact_id", contactName: "k.name", code: "m.purpose", title: "m.subject", place: "m.template_key",
                number: "CAST(m.template_version AS bigint)"),
            $"FROM mail_outbox m JOIN contact k ON k.id = m.contact_id WHERE k.organisation_id = {Org} AND m.status = 'sent'"),
        new(TimelineSource.Reply, "r.received_at", "r.id", Columns(
                contactId: "r.contact_id", contactName: "k.name", code: "r.kind", title: "r.subject", text: "r.outcome"),
            $"FROM mail_reply r LEFT JOIN contact k ON k.id = r.contact_id WHERE r.organisation_id = {Org}"),
        new(TimelineSource.Attended, "COALESCE(i.checked_in_at, ev.starts_at)", "i.id", Columns(
                contactId: "i.contact_id", contactName: "k.name", code: "CASE WHEN i.checked_in_at IS NOT NULL THEN 'door' ELSE 'online' END",
                title: "ev.title", related: "ev.id"),
            $"FROM invitation i JOIN contact k ON k.id = i.contact_id JOIN network_event ev ON ev.id = i.event_id WHERE k.organisation_id = {Org} AND (i.checked_in_at IS NOT NULL OR i.attended_online)"),
        new(TimelineSource.Answered, "i.responded_at", "i.id", Columns(
                contactId: "i.contact_id", contactName: "k.name", code: "i.response", title: "ev.title", related: "ev.id", other: "ev.starts_at"),
            $"FROM invitation i JOIN contact k ON k.id = i.contact_id JOIN network_event ev ON ev.id = i.event_id WHERE k.organisation_id = {Org} AND i.responded_at IS NOT NULL AND i.response <> 'none'"),
        new(TimelineSource.Invited, "i.invited_at", "i.id", Columns(
                contactId: "i.contact_id", contactName: "k.name", code: "i.place", title: "ev.title", related: "ev.id", other: "ev.starts_at"),
            $"FROM invitation i JOIN contact k ON k.id = i.contact_id JOIN network_event ev ON ev.id = i.event_id WHERE k.organisation_id = {Org}"),
        new(TimelineSource.EnrolmentChanged, "e.updated_at", "e.id", Columns(
                contactId: "e.contact_id", contactName: "k.name", code: "e.state", code2: "e.stopped_because", title: "q.name", other: "e.paused_until"),
            "FROM enrolment e JOIN contact k ON k.id = e.contact_id JOIN mail_sequence q ON q.id = e.sequence_id WHERE e.prospect_id = @prospectId AND e.state IN ('paused', 'stopped', 'completed')"),
        new(TimelineSource.EnrolmentStarted, "e.enrolled_at", "e.id", Columns(
                actor: "e.enrolled_by", contactId: "e.contact_id", contactName: "k.name", code: "e.state", title: "q.name"),
            "FROM enrolment e JOIN contact k ON k.id = e.contact_id JOIN mail_sequence q ON q.id = e.sequence_id WHERE e.prospect_id = @prospectId"),
        new(TimelineSource.RemovedInDynamics, "o.removed_at", "o.id", Columns(actor: $"'{SyncActor}'", title: "o.name", fromDynamics: "1"),
            $"FROM organisation o WHERE o.id = {Org} AND o.removed_at IS NOT NULL"),
        // Milestone changes name the secretariat member who made them, never a contact, so erasure has nothing to reach here.
        // The prospect's milestones by (entry_id, …), then each one's changes by (milestone_id, changed_at): a party has a
        // handful of milestones (one per plan line, or per monitoring year), so the few changes left are sorted, not scanned.
        new(TimelineSource.OnboardingMilestone, "h.changed_at", "h.id", Columns(
                actor: "h.changed_by", code: "h.action", title: "m.name_en", titleNl: "m.name_nl", text: "h.reason", place: "f.file_name",
                number: "CASE WHEN m.monitoring_year = 0 THEN NULL ELSE CAST(m.monitoring_year AS bigint) END", related: "h.evidence_file_id",
                onDay: "h.done_on", link: "h.evidence_url"),
            "FROM onboarding_milestone_change h JOIN onboarding_milestone m ON m.id = h.milestone_id LEFT JOIN onboarding_evidence f ON f.id = h.evidence_file_id WHERE m.entry_id = @prospectId"),
    ];

    /// <summary>The SQL of one page (exposed for the query-plan tests).</summary>
    public string PageSql(TimelineQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sources = Timeline.SourcesOf(query).ToHashSet();
        var sql = new StringBuilder();
        foreach (var branch in Branches().Where(b => sources.Contains(b.Source)))
        {
            if (sql.Length > 0) sql.Append("\nUNION ALL\n");
            sql.Append("SELECT * FROM (SELECT ").Append(branch.Time).Append(" AS at, ").Append((int)branch.Source).Append(" AS src, ").Append(branch.Id).Append(" AS id, ")
                .Append(branch.Select).Append(' ').Append(branch.FromWhere).Append(Keyset(branch, query.After))
                .Append(" ORDER BY ").Append(branch.Time).Append(" DESC, ").Append(branch.Id).Append(" DESC LIMIT @limit) b").Append((int)branch.Source);
        }

        return sql.Length == 0 ? "" : sql.Append("\nORDER BY at DESC, src DESC, id DESC LIMIT @limit").ToString();
    }

    /// <summary>
    /// "After the cursor" for one branch: its source is a constant, so the (time, source, id) comparison comes down to a
    /// condition on the branch's own (time, id), which its index serves.
    /// </summary>
    private static string Keyset(Branch branch, TimelineCursor? after)
    {
        if (after is not { } cursor) return "";
        if (branch.Source < cursor.Source) return $" AND {branch.Time} <= @at";
        if (branch.Source > cursor.Source) return $" AND {branch.Time} < @at";
        return $" AND ({branch.Time} < @at OR ({branch.Time} = @at AND {branch.Id} < @afterId))";
    }

    public async Task<TimelinePage> PageAsync(long prospectId, TimelineQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        var size = Math.Clamp(query.PageSize, 1, TimelineQuery.MaxPageSize);
        var sql = PageSql(query);
        if (sql.Length == 0) return new TimelinePage([], null);
        await using var work = await db.ConnectAsync(ct);
        var rows = await work.Connection.QueryAsync<Row>(new CommandDefinition(sql,
            new { prospectId, limit = size + 1, at = query.After?.At ?? default, afterId = query.After?.Id ?? 0 }, work.Transaction, cancellationToken: ct));
        return Timeline.Page(rows.Select(r => r.ToDomain()).ToList(), size);
    }

    public async Task<SentMail?> GetSentMailAsync(long organisationId, long mailId, CancellationToken ct)
    {
        await using var work = await db.ConnectAsync(ct);
        var row = await work.Connection.QuerySingleOrDefaultAsync<SentMailRow>(new CommandDefinition(
            """
            SELECT m.id AS Id, m.contact_id AS ContactId, m.to_name AS ToName, m.subject AS Subject, m.html_body AS Html, m.text_body AS Text,
                   m.template_key AS TemplateKey, m.template_version AS TemplateVersion, m.sent_at AS SentAt
            FROM mail_outbox m JOIN contact k ON k.id = m.contact_id
            WHERE m.id = @mailId AND k.organisation_id = @organisationId AND m.status = 'sent'
            """,
            new { mailId, organisationId }, work.Transaction, cancellationToken: ct));
        return row is null ? null : new SentMail(row.Id, row.ContactId, row.ToName, row.Subject, row.Html, row.Text, row.TemplateKey, row.TemplateVersion, row.SentAt);
    }

    private sealed class SentMailRow
    {
        public long Id { get; init; }
        public long? ContactId { get; init; }
        public string ToName { get; init; } = "";
        public string Subject { get; init; } = "";
        public string Html { get; init; } = "";
        public string Text { get; init; } = "";
        public string? TemplateKey { get; init; }
        public int? TemplateVersion { get; init; }
        public DateTimeOffset? SentAt { get; init; }
    }

    private sealed class Row
    {
        public DateTimeOffset At { get; init; }
        public long Src { get; init; }
        public long Id { get; init; }
        public string? Actor { get; init; }
        public long? ContactId { get; init; }
        public string? ContactName { get; init; }
        public string? Code { get; init; }
        public string? Code2 { get; init; }
        public string? Code3 { get; init; }
        public string? Title { get; init; }
        public string? Body { get; init; }
        public string? Place { get; init; }
        public string? People { get; init; }
        public string? Others { get; init; }
        public long? Number { get; init; }
        public long? RelatedId { get; init; }
        public DateTimeOffset? Other { get; init; }
        public long FromDynamics { get; init; }
        public string? TitleNl { get; init; }
        public DateOnly? OnDay { get; init; }
        public string? Link { get; init; }

        public TimelineItem ToDomain() => new()
        {
            At = At, Source = (TimelineSource)Src, Id = Id, Actor = Actor, ContactId = ContactId, ContactName = ContactName, Code = Code, Code2 = Code2, Code3 = Code3,
            Title = Title, Text = Body, Place = Place, People = People, Others = Others, Number = Number, RelatedId = RelatedId, Other = Other, FromDynamics = FromDynamics != 0,
            TitleNl = TitleNl, Day = OnDay, Link = Link,
        };
    }
}
