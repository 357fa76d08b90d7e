using System.Text.RegularExpressions;
using Outreach.Core.Audit;
using Outreach.Core.Prospects;

namespace Outreach.Storage.Tests;

/// <summary>Instants in audit values have one format on every path: UTC to the whole second, with Z (AuditDiff.Instant).</summary>
public abstract partial class StoreContract
{
    private static readonly Regex AuditInstant = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Fact]
    public async Task AuditValues_WriteInstantsInOneFormat_ForEventsBouncesAndUsers()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(250));
        var events = new SqlEventStore(Db);
        var e = await NewEventAsync(events);
        var organisation = await Prospects.AddOrganisationAsync(Draft("Stamp Gold"), default);
        var contact = await Prospects.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft { Name = "Eva Jansen", Email = "eva@stamp.example" }), default);
        await Prospects.MarkBouncedAsync("eva@stamp.example", Clock.GetUtcNow(), default);
        var access = new SqlAccessStore(Db, Clock);
        var user = await access.AddUserAsync("kees", "Kees", Core.Access.Role.Manager, "hash", default);
        await access.SetDisabledAsync(user.Id, Clock.GetUtcNow(), default);

        var created = (await AuditOfAsync(AuditEntities.Event, e.Id)).Single(a => a.Action == "created");
        Assert.Equal("2026-04-15T12:00:00Z", created.Changes.Single(c => c.Field == "starts_at").After);
        var bounced = (await AuditOfAsync(AuditEntities.Contact, contact.Id)).Single(a => a.Action == "bounced");
        Assert.Equal(AuditDiff.Instant(Clock.GetUtcNow()), bounced.Changes.Single(c => c.Field == "bounced_at").After);
        Assert.Equal("2026-03-02T08:30:00Z", bounced.Changes.Single().After);
        var instants = (await new SqlAudit(Db).SearchAsync(new AuditFilter(), 1, 100, default)).Items
            .SelectMany(a => a.Changes).Where(c => c.Field.EndsWith("_at", StringComparison.Ordinal) || c.Field == "registration_deadline")
            .SelectMany(c => new[] { c.Before, c.After }).Where(v => !string.IsNullOrEmpty(v)).ToList();
        Assert.Contains(instants, v => v!.StartsWith("2026-03-02T08:30:00", StringComparison.Ordinal)); // the user's disabled_at
        Assert.All(instants, v => Assert.Matches(AuditInstant, v!));
    }
}
