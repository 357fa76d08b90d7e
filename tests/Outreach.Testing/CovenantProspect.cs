using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Testing;

/// <summary>
/// The set-up many tests share: the "gold" covenant, a prospect in it (Jansen Metaal, contacted at a fair by Anne) and its
/// contacts, Eva and Piet Jansen unless a test asks for others. Built through the stores the test gives, so it is written the
/// way the application writes it:
/// <code>var world = await new CovenantProspect.Builder(prospects, pipeline).BuildAsync(clock.GetUtcNow());</code>
/// </summary>
public sealed record CovenantProspect(Covenant Covenant, PipelineEntry Entry, IReadOnlyList<Contact> Contacts)
{
    public long OrganisationId => Entry.OrganisationId;

    /// <summary>The first contact (Eva Jansen by default).</summary>
    public Contact Eva => Contacts[0];

    /// <summary>The second contact (Piet Jansen by default).</summary>
    public Contact Piet => Contacts[1];

    public static ContactDraft EvaJansen => new() { Name = "Eva Jansen", Email = "eva@jansen-metaal.example" };

    public static ContactDraft PietJansen => new() { Name = "Piet Jansen", Email = "piet@jansen-metaal.example" };

    /// <summary>Numbered invitees of one organisation ("Invitee {tag}-{i}", invitee{tag}-{i}@jansen-metaal.example), as the overlap tests use them.</summary>
    public static IReadOnlyList<ContactDraft> Invitees(string tag, int count) =>
        Enumerable.Range(0, count).Select(i => new ContactDraft { Name = $"Invitee {tag}-{i}", Email = $"invitee{tag}-{i}@jansen-metaal.example" }).ToList();

    public sealed class Builder(IProspectStore prospects, IPipelineStore pipeline)
    {
        public string CovenantCode { get; init; } = "gold";
        public string CovenantName { get; init; } = "Verantwoord Goud";
        public DateOnly CovenantStartsOn { get; init; } = new(2017, 6, 1);
        public DateOnly CovenantEndsOn { get; init; } = new(2027, 6, 1);

        public string Organisation { get; init; } = "Jansen Metaal";
        public string Sector { get; init; } = "metal";
        public Stage Stage { get; init; } = Stage.Contacted;
        public string By { get; init; } = "anne";
        public string Reason { get; init; } = "Fair";

        public IReadOnlyList<ContactDraft> Contacts { get; init; } = [EvaJansen, PietJansen];

        /// <summary>Every contact in this language (the drafts' own language otherwise).</summary>
        public ContactLanguage? Language { get; init; }

        /// <summary>A new covenant with the prospect and its contacts.</summary>
        public async Task<CovenantProspect> BuildAsync(DateTimeOffset at, CancellationToken ct = default) =>
            await InAsync(await prospects.AddCovenantAsync(CovenantCode, CovenantName, CovenantStartsOn, CovenantEndsOn, ct), at, ct);

        /// <summary>The prospect and its contacts in a covenant the test already has (a test that adds a prospect per round).</summary>
        public async Task<CovenantProspect> InAsync(Covenant covenant, DateTimeOffset at, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(covenant);
            var organisation = await prospects.AddOrganisationAsync(new OrganisationDraft { Name = Organisation, Sector = Sector, Owner = "Anne", Country = "NL" }, ct);
            var entry = await pipeline.AddEntryAsync(organisation.Id, covenant.Id, Stage, at, By, Reason, ct);
            var contacts = new List<Contact>();
            foreach (var draft in Contacts)
                contacts.Add(await prospects.AddContactAsync(entry.OrganisationId, Language is { } language ? draft with { Language = language } : draft, ct));
            return new CovenantProspect(covenant, entry, contacts);
        }
    }
}
