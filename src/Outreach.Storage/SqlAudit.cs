using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;
using Outreach.Core.Audit;
using Outreach.Core.Pipeline;

namespace Outreach.Storage;

/// <summary>
/// The audit trail. Each store appends inside its own write transaction (<see cref="AppendAsync"/>), so a change and its
/// audit entry commit or fail together. Personal values go to audit_personal, which erasure clears.
/// </summary>
public sealed class SqlAudit(Database db) : IAuditLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static async Task AppendAsync(DbConnection c, DbTransaction tx, DateTimeOffset at, string actor, AuditRecord record, CancellationToken ct)
    {
        var open = record.Changes.Where(x => !x.Personal).Select(x => new Stored(x.Field, x.Before, x.After, false));
        // The entry names the personal fields that changed but not their values.
        var personal = record.ContactId is null ? [] : record.Changes.Where(x => x.Personal).ToList();
        var named = record.ContactId is null
            ? record.Changes.Where(x => x.Personal).Select(x => new Stored(x.Field, x.Before, x.After, false))
            : personal.Select(x => new Stored(x.Field, null, null, true));
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO audit_entry (at, actor, entity, entity_id, action, changes)
            VALUES (@at, @actor, @Entity, @EntityId, @Action, @changes)
            RETURNING id
            """,
            new { at, actor, record.Entity, record.EntityId, record.Action, changes = JsonSerializer.Serialize(open.Concat(named).ToList(), Json) }, tx, cancellationToken: ct));
        if (personal.Count > 0)
        {
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO audit_personal (audit_id, contact_id, changes) VALUES (@id, @ContactId, @changes)",
                new { id, record.ContactId, changes = JsonSerializer.Serialize(personal.Select(x => new Stored(x.Field, x.Before, x.After, true)).ToList(), Json) },
                tx, cancellationToken: ct));
        }
    }

    /// <summary>Removes every personal value recorded about the contact (the entries stay, saying their values were erased).</summary>
    public async Task<int> ErasePersonalAsync(long contactId, CancellationToken ct)
    {
        await using var work = await db.BeginWorkAsync(ct);
        var erased = await work.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM audit_personal WHERE contact_id = @contactId", new { contactId }, work.Transaction, cancellationToken: ct));
        await work.CommitAsync(ct);
        return erased;
    }

    public async Task<Page<AuditEntry>> SearchAsync(AuditFilter filter, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 500);
        var where = new StringBuilder("WHERE 1 = 1");
        var p = new DynamicParameters();
        if (!string.IsNullOrWhiteSpace(filter.Entity)) { where.Append(" AND a.entity = @Entity"); p.Add("Entity", filter.Entity.Trim()); }
        if (!string.IsNullOrWhiteSpace(filter.EntityId)) { where.Append(" AND a.entity_id = @EntityId"); p.Add("EntityId", filter.EntityId.Trim()); }
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            where.Append(" AND ").Append(Database.ContainsIgnoreCase("a.actor", "@Actor"));
            p.Add("Actor", Database.EscapeLike(filter.Actor.Trim()));
        }

        if (filter.From is { } from) { where.Append(" AND a.at >= @From"); p.Add("From", from); }
        if (filter.Before is { } before) { where.Append(" AND a.at < @Before"); p.Add("Before", before); }
        p.Add("Limit", pageSize);
        p.Add("Offset", (page - 1) * pageSize);
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM audit_entry a {where}", p, cancellationToken: ct));
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"""
            SELECT a.id AS Id, a.at AS At, a.actor AS Actor, a.entity AS Entity, a.entity_id AS EntityId, a.action AS Action,
                   a.changes AS Changes, x.changes AS PersonalChanges
            FROM audit_entry a LEFT JOIN audit_personal x ON x.audit_id = a.id
            {where}
            ORDER BY a.at DESC, a.id DESC LIMIT @Limit OFFSET @Offset
            """,
            p, cancellationToken: ct));
        return new Page<AuditEntry>(rows.Select(r => r.ToDomain()).ToList(), (int)total, page, pageSize);
    }

    private sealed record Stored(string Field, string? Before, string? After, bool Personal);

    private sealed class Row
    {
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public string Actor { get; init; } = "";
        public string Entity { get; init; } = "";
        public string EntityId { get; init; } = "";
        public string Action { get; init; } = "";
        public string Changes { get; init; } = "[]";
        public string? PersonalChanges { get; init; }

        public AuditEntry ToDomain()
        {
            var open = JsonSerializer.Deserialize<List<Stored>>(Changes, Json) ?? [];
            var personal = PersonalChanges is null ? [] : JsonSerializer.Deserialize<List<Stored>>(PersonalChanges, Json) ?? [];
            var erased = false;
            var changes = new List<AuditChange>();
            foreach (var change in open)
            {
                if (!change.Personal)
                {
                    changes.Add(new AuditChange(change.Field, change.Before, change.After));
                    continue;
                }

                // A personal field: its values are in audit_personal until the contact is erased.
                var value = personal.Find(x => x.Field == change.Field);
                if (value is null) erased = true;
                changes.Add(new AuditChange(change.Field, value?.Before, value?.After, Personal: true));
            }

            return new AuditEntry(Id, At, Actor, Entity, EntityId, Action, changes) { PersonalDataErased = erased };
        }
    }
}
