using Bogus;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Storage;

namespace Outreach.Web.Demo;

public sealed record DemoSummary(int Organisations, int Contacts, int StageChanges);

/// <summary>
/// A realistic, synthetic demo data set (no real people or companies: Bogus with a fixed seed, web domains under
/// the reserved .example top-level domain): three covenants, 240 organisations of every party kind spread over
/// all stages, three years of stage history that follows the pipeline rules, and contacts in Dutch and English.
/// </summary>
public sealed class DemoDataSeeder(IProspectStore prospects, Outreach.Storage.Database db, TimeProvider clock, Core.Events.IEventStore? events = null, Core.Onboarding.IOnboardingStore? onboarding = null)
{
    public const int OrganisationCount = 240;
    private const int Seed = 20261121;

    private static readonly string[] Owners = ["Anne de Vries", "Bram Jansen", "Claire Smit", "Daan Visser", "Eva Bakker"];

    private static readonly (string Code, string Name, DateOnly Starts, DateOnly Ends, string[] Sectors)[] CovenantSpecs =
    [
        ("gold", "Responsible Gold", new(2023, 1, 1), new(2027, 12, 31), ["jewellery", "goldsmithing", "electronics", "recycling", "refining", "banking"]),
        ("metals", "Metals Sector", new(2022, 7, 1), new(2027, 6, 30), ["steel", "metal recycling", "metals trade", "machinery", "electronics"]),
        ("stone", "Natural Stone", new(2023, 9, 1), new(2028, 8, 31), ["natural stone", "construction", "stone import"]),
    ];

    public async Task<DemoSummary?> SeedIfEmptyAsync(CancellationToken ct)
    {
        if ((await prospects.ListCovenantsAsync(ct)).Count > 0) return null;
        using var actor = Core.Audit.AmbientActor.Use("demo data");
        var summary = await SeedAsync(ct);
        if (events is not null) await SeedEventAsync(events, ct);
        if (onboarding is not null) await SeedOnboardingAsync(onboarding, ct);
        return summary;
    }

    /// <summary>
    /// The onboarding plan each covenant ships with (the seeds: RBC policy, assessment tool, risk analysis, the two-day
    /// due-diligence training, the annual monitoring questionnaire), the milestones of every party that signed, as a signing
    /// would have created them, and about three in four of those already due marked done with a link.
    /// </summary>
    private async Task SeedOnboardingAsync(Core.Onboarding.IOnboardingStore store, CancellationToken ct)
    {
        var random = new Randomizer(Seed + 2);
        var now = clock.GetUtcNow();
        var today = AmsterdamClock.Today(clock);
        foreach (var covenant in await prospects.ListCovenantsAsync(ct))
        {
            var plan = await store.SavePlanAsync(covenant.Id, 0, DemoPlan, 0, now, "demo data", ct);
            foreach (var party in await store.ListPartiesAsync(covenant.Id, ct))
            {
                var drafts = Core.Onboarding.OnboardingRules.MilestonesAtSigning(plan, covenant, party.Kind, party.SignedOn);
                await store.AddMilestonesAsync(party.ProspectId, drafts, now, "demo data", ct);
                foreach (var m in await store.ListForProspectAsync(party.ProspectId, ct))
                {
                    if (m.DueOn > today.AddDays(60) || party.LeftOn is { } left && m.DueOn > left || !random.Bool(0.75f)) continue;
                    var latest = m.DueOn.AddDays(30) < today ? m.DueOn.AddDays(30) : today;
                    var earliest = m.DueOn.AddDays(-90) > party.SignedOn ? m.DueOn.AddDays(-90) : party.SignedOn;
                    if (latest < earliest) continue;
                    var doneOn = earliest.AddDays(random.Int(0, latest.DayNumber - earliest.DayNumber));
                    await store.MarkDoneAsync(m.Id, doneOn, $"https://evidence.example/{m.Key}/{party.ProspectId}", null, now, random.ArrayElement(Owners), ct);
                }
            }
        }
    }

    private static readonly Core.Onboarding.PlanMilestone[] DemoPlan =
    [
        new()
        {
            Key = "rbc_policy", NameNl = "IMVO-beleid gepubliceerd", NameEn = "RBC policy published", PhraseNl = "publiceerden hun IMVO-beleid", PhraseEn = "published their RBC policy",
            AppliesTo = [PartyKind.Company, PartyKind.BranchOrganisation, PartyKind.Government, PartyKind.KnowledgeInstitute], Due = Core.Onboarding.DueRule.AfterSigning, MonthsAfterSigning = 12,
        },
        new()
        {
            Key = "assessment_tool", NameNl = "Assessmenttool gebruikt", NameEn = "Assessment tool used", PhraseNl = "gebruikten de assessmenttool", PhraseEn = "used the assessment tool",
            AppliesTo = [PartyKind.Company, PartyKind.BranchOrganisation], Due = Core.Onboarding.DueRule.AfterSigning, MonthsAfterSigning = 6,
        },
        new()
        {
            Key = "risk_analysis", NameNl = "Risicoanalyse geleverd", NameEn = "Risk analysis delivered", PhraseNl = "leverden een risicoanalyse", PhraseEn = "delivered a risk analysis",
            AppliesTo = [PartyKind.Company], Due = Core.Onboarding.DueRule.AfterSigning, MonthsAfterSigning = 18,
        },
        new()
        {
            Key = "dd_training", NameNl = "Tweedaagse due-diligencetraining gevolgd", NameEn = "Two-day due-diligence training attended", PhraseNl = "volgden de due-diligencetraining", PhraseEn = "attended the due-diligence training",
            AppliesTo = [PartyKind.Company, PartyKind.BranchOrganisation], Due = Core.Onboarding.DueRule.AfterSigning, MonthsAfterSigning = 12,
        },
        new()
        {
            Key = "monitoring", NameNl = "Jaarlijkse monitoring ingevuld", NameEn = "Annual monitoring completed", PhraseNl = "vulden de jaarlijkse monitoring in", PhraseEn = "completed the annual monitoring",
            AppliesTo = [PartyKind.Company, PartyKind.BranchOrganisation, PartyKind.Ngo, PartyKind.TradeUnion, PartyKind.Government, PartyKind.KnowledgeInstitute],
            Due = Core.Onboarding.DueRule.FixedEachYear, DueMonth = 3, DueDay = 1, RepeatsYearly = true,
        },
    ];

    /// <summary>A network event six weeks ahead with some of the gold covenant's contacts invited and a few answers (no mail is sent).</summary>
    private async Task SeedEventAsync(Core.Events.IEventStore store, CancellationToken ct)
    {
        var gold = (await prospects.ListCovenantsAsync(ct)).First(c => c.Code == "gold");
        var day = Core.Calendar.AmsterdamClock.Today(clock).AddDays(42);
        var now = clock.GetUtcNow();
        var e = await store.AddEventAsync(Core.Events.EventRules.Create(new Core.Events.NetworkEventDraft
        {
            Title = "Netwerkbijeenkomst Verantwoord Goud", CovenantId = gold.Id, Format = Core.Events.EventFormat.Hybrid, Venue = "Fairphone, Amsterdam",
            OnlineJoinUrl = "https://teams.example/meet/demo", StartLocal = day.ToDateTime(new TimeOnly(14, 0)), EndLocal = day.ToDateTime(new TimeOnly(17, 0)),
            Capacity = 12, RegistrationDeadlineLocal = day.AddDays(-5).ToDateTime(new TimeOnly(23, 59)),
            DescriptionNl = "Taskforces en nieuwe partijen ontmoeten elkaar.", DescriptionEn = "Taskforces and prospective parties meet.",
        }, "evt-demo-" + Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@outreach", now), ct);
        var candidates = (await store.ListInviteCandidatesAsync(new Core.Events.InviteSelection { Filter = new Core.Pipeline.ProspectFilter { CovenantId = gold.Id, Stage = Core.Pipeline.Stage.Engaged } }, ct)).Take(20);
        var invite = Core.Events.EventRules.Invite(e, [], candidates, now);
        var (current, invitations) = await store.ApplyAsync(new Core.Events.EventChange(e, e.Version, Core.Events.EventRules.NewInvitations(e, invite, now), "invited", now), ct);
        var answers = new[] { Core.Events.InvitationResponse.Accepted, Core.Events.InvitationResponse.Declined, Core.Events.InvitationResponse.Tentative, Core.Events.InvitationResponse.Accepted };
        var all = invitations.ToList();
        for (var i = 0; i < Math.Min(all.Count, 14); i++)
        {
            var decision = Core.Events.EventRules.Respond(current, all, all[i].Id, answers[i % answers.Length], TimeSpan.FromHours(48), now);
            if (!decision.IsAllowed || decision.Changed.Count == 0) continue;
            var (next, changed) = await store.ApplyAsync(new Core.Events.EventChange(current, current.Version, decision.Changed, "answered", now), ct);
            current = next;
            foreach (var c in changed) all[all.FindIndex(x => x.Id == c.Id)] = c;
        }
    }

    public async Task<DemoSummary> SeedAsync(CancellationToken ct)
    {
        var nl = new Faker("nl") { Random = new Randomizer(Seed) };
        var en = new Faker("en") { Random = new Randomizer(Seed + 1) };
        var random = nl.Random;
        var now = clock.GetUtcNow();
        // One transaction: an interrupted first start leaves the database empty, so the next start seeds again.
        await using var batch = await SqlBatchWriter.BeginAsync(db, ct);
        var covenants = new List<Covenant>();
        foreach (var spec in CovenantSpecs)
            covenants.Add(await batch.AddCovenantAsync(spec.Code, spec.Name, spec.Starts, spec.Ends, ct));

        var usedNames = new HashSet<string>();
        int organisations = 0, contacts = 0, changes = 0;
        for (var i = 0; i < OrganisationCount; i++)
        {
            var covenantIndex = random.WeightedRandom([0, 1, 2], [0.45f, 0.4f, 0.15f]);
            var spec = CovenantSpecs[covenantIndex];
            var kind = random.WeightedRandom(
                [PartyKind.Company, PartyKind.BranchOrganisation, PartyKind.Ngo, PartyKind.TradeUnion, PartyKind.Government, PartyKind.KnowledgeInstitute],
                [0.7f, 0.1f, 0.08f, 0.04f, 0.04f, 0.04f]);
            var sector = random.ArrayElement(spec.Sectors);
            var country = random.WeightedRandom(["NL", "BE", "DE", "GB", "CH"], [0.78f, 0.08f, 0.06f, 0.05f, 0.03f]);
            string name;
            do name = OrganisationName(nl, en, kind, sector, country);
            while (!usedNames.Add(Normalise.OrganisationName(name)));

            var draft = Validation.Clean(new OrganisationDraft
            {
                Name = name,
                PartyKind = kind,
                Sector = sector,
                Country = country,
                KvkNumber = country == "NL" ? random.ReplaceNumbers("########") : null,
                Website = $"{Slug(name)}.example",
                Owner = random.ArrayElement(Owners),
            });
            var organisation = await batch.AddOrganisationAsync(draft, now, ct);
            organisations++;

            var english = country != "NL" && country != "BE";
            for (var c = random.Int(1, 3); c > 0; c--)
            {
                var person = english || random.Bool(0.15f) ? en : nl;
                var first = person.Name.FirstName();
                var last = person.Name.LastName();
                await batch.AddContactAsync(organisation.Id, Validation.Clean(new ContactDraft
                {
                    Name = $"{first} {last}",
                    Email = $"{Slug(first)}.{Slug(last)}@{draft.Website}",
                    Language = person == en ? ContactLanguage.En : ContactLanguage.Nl,
                    Role = random.ArrayElement(["CSR manager", "Director", "Sustainability officer", "Purchasing manager", "Policy advisor", "Compliance officer"]),
                }), now, ct);
                contacts++;
            }

            var covenantIds = new List<long> { covenants[covenantIndex].Id };
            if (random.Bool(0.08f)) covenantIds.Add(covenants[(covenantIndex + 1) % covenants.Count].Id);
            foreach (var covenantId in covenantIds)
                changes += await WriteHistoryAsync(batch, organisation.Id, covenantId, draft.Owner, i < Stages.All.Count ? Stages.All[i] : null, random, now, ct);
        }

        await batch.CommitAsync(ct);
        return new DemoSummary(organisations, contacts, changes);
    }

    /// <summary>Walks one entry through the pipeline from a first-contact date in the last three years, following the stage rules.</summary>
    private async Task<int> WriteHistoryAsync(SqlBatchWriter batch, long organisationId, long covenantId, string owner, Stage? forced, Randomizer random, DateTimeOffset now, CancellationToken ct)
    {
        // The first organisations get one of each stage, so every column of the board has something to show.
        var target = forced ?? random.WeightedRandom(
            [Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Intake, Stage.SigningScheduled, Stage.Signed, Stage.Declined, Stage.NotNow, Stage.Left],
            [0.13f, 0.16f, 0.13f, 0.09f, 0.06f, 0.2f, 0.1f, 0.09f, 0.04f]);
        var path = PathTo(target, random);
        var span = forced is not null || target == Stage.Left
            ? TimeSpan.FromDays(random.Int(900, 1090))
            : TimeSpan.FromDays(Math.Min(1090, (path.Count * 35) + random.Int(0, 400)));
        var at = now - span;
        at = at.AddMinutes(random.Int(0, 8 * 60));
        var entry = await batch.AddEntryAsync(organisationId, covenantId, Stage.Identified, at, owner, random.ArrayElement(Reasons[Stage.Identified]), ct);
        var written = 1;
        foreach (var to in path.Skip(1))
        {
            var next = at.AddDays(to == Stage.Left ? random.Int(380, 500) : random.Int(6, 70)).AddHours(random.Int(0, 6));
            if (next >= now) break;
            DateOnly? revisit = null;
            var by = owner;
            var reason = random.ArrayElement(Reasons[to]);
            if (entry.Stage == Stage.NotNow && entry.RevisitOn is { } due)
            {
                // Leaving "not now" happens when the revisit date comes, as pipeline hygiene does it.
                next = AmsterdamClock.AtLocal(due, new TimeOnly(7, 0));
                if (next >= now) break;
                by = "system:pipeline-hygiene";
                reason = $"Revisit date {due:yyyy-MM-dd} reached: back to identified by pipeline hygiene.";
            }

            if (to == Stage.NotNow)
            {
                var local = AmsterdamClock.DateOf(next);
                revisit = local.AddDays(random.Int(60, 200));
                if (path[^1] == Stage.NotNow && revisit <= AmsterdamClock.Today(clock))
                    revisit = AmsterdamClock.Today(clock).AddDays(random.Int(5, 120));
            }

            var decision = Pipeline.Decide(entry, to, reason, by, next, revisit);
            if (!decision.IsAllowed) throw new InvalidOperationException($"Demo path broke the rules: {decision.Refusal}");
            entry = await batch.ApplyAsync(decision.Change!, ct);
            at = next;
            written++;
        }

        if (entry.Stage is not (Stage.Signed or Stage.Declined or Stage.Left))
        {
            var today = AmsterdamClock.Today(clock);
            await batch.SetNextActionAsync(entry.Id, random.ArrayElement(NextActions[entry.Stage]), today.AddDays(random.Int(-12, 30)), today, ct);
        }

        return written;
    }

    private static List<Stage> PathTo(Stage target, Randomizer random)
    {
        var main = new List<Stage> { Stage.Identified };
        var funnelTarget = target switch
        {
            Stage.Left => Stage.Signed,
            Stage.Declined or Stage.NotNow => random.ArrayElement([Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Intake]),
            _ => target,
        };
        foreach (var stage in Stages.Funnel.Skip(1))
        {
            if (Stages.Funnel.ToList().IndexOf(stage) > Stages.Funnel.ToList().IndexOf(funnelTarget)) break;
            if (stage == Stage.Engaged && random.Bool(0.2f))
            {
                // A not-now pause on the way: revisited later, then contacted again.
                main.AddRange([Stage.NotNow, Stage.Identified, Stage.Contacted]);
            }

            main.Add(stage);
        }

        if (target is Stage.Declined or Stage.NotNow or Stage.Left) main.Add(target);
        return main;
    }

    private static string OrganisationName(Faker nl, Faker en, PartyKind kind, string sector, string country)
    {
        var f = country is "NL" or "BE" ? nl : en;
        var last = f.Name.LastName();
        var city = f.Address.City();
        return kind switch
        {
            PartyKind.BranchOrganisation => f.Random.ArrayElement([$"Branchevereniging {Cap(sector)} {city}", $"Federatie {Cap(sector)}", $"Vakgroep {Cap(sector)} {last}"]),
            PartyKind.Ngo => f.Random.ArrayElement([$"Stichting {last} Fair Trade", $"Mines & People {city}", $"Child Rights Watch {city}", $"Stichting Eerlijk {Cap(sector)}"]),
            PartyKind.TradeUnion => f.Random.ArrayElement([$"Vakbond {Cap(sector)} {city}", $"Union of {Cap(sector)} Workers {city}"]),
            PartyKind.Government => f.Random.ArrayElement([$"Gemeente {city}", $"Provincie {city}", $"Ministerie van {f.Random.ArrayElement(Ministries)} ({city})"]),
            PartyKind.KnowledgeInstitute => f.Random.ArrayElement([$"Kenniscentrum {Cap(sector)} {city}", $"Institute for Responsible {Cap(sector)}", $"Hogeschool {city} lectoraat {Cap(sector)}"]),
            _ => sector switch
            {
                "jewellery" => f.Random.ArrayElement([$"Juwelier {last}", $"{last} Juwelen B.V.", $"Edelsmederij {last}"]),
                "goldsmithing" => f.Random.ArrayElement([$"Goudsmederij {last}", $"Atelier {last} Goud"]),
                "refining" => $"{last} Refining {f.Random.ArrayElement(RefinerForms)}",
                "banking" => $"{last} Bank N.V.",
                "recycling" or "metal recycling" => f.Random.ArrayElement([$"{city} Metaal Recycling B.V.", $"{last} Recycling", $"Urban Mining {city}"]),
                "steel" => f.Random.ArrayElement([$"{last} Staal B.V.", $"Staalbouw {city}", $"{last} Steel Ltd"]),
                "electronics" => f.Random.ArrayElement([$"{last} Electronics", $"{city} Devices B.V."]),
                "machinery" => $"Machinefabriek {last}",
                "natural stone" or "stone import" => f.Random.ArrayElement([$"Natuursteen {last}", $"{last} Stone Import B.V."]),
                "construction" => $"Bouwbedrijf {last}",
                _ => $"{last} Metals {f.Random.ArrayElement(LegalForms)}",
            },
        };
    }

    private static readonly string[] Ministries = ["Buitenlandse Zaken", "Economische Zaken", "Infrastructuur"];
    private static readonly string[] RefinerForms = ["B.V.", "GmbH", "Ltd"];
    private static readonly string[] LegalForms = ["B.V.", "N.V.", "GmbH", "Ltd"];

    private static string Cap(string text) => string.Concat(text[..1].ToUpperInvariant(), text[1..]);

    private static string Slug(string text) =>
        new string(Normalise.OrganisationName(text).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');

    private static readonly Dictionary<Stage, string[]> Reasons = new()
    {
        [Stage.Identified] = ["Named by the taskforce approach new parties", "Found in the sector association's member list", "Suggested by a member company", "Visited our stand at the trade fair", "Supplier of a covenant party"],
        [Stage.Contacted] = ["Sent the introduction letter and covenant brochure", "First call with the CSR manager", "Introduced by a member at the network event", "LinkedIn message answered"],
        [Stage.Engaged] = ["Attended the network event and asked for a follow-up", "Meeting held: interested in the due-diligence support", "Asked for the draft commitment text"],
        [Stage.Intake] = ["Due-diligence intake held with compliance", "Draft commitment and risk analysis plan received"],
        [Stage.SigningScheduled] = ["Signing planned at the next steering group", "Board approved joining; signing date set"],
        [Stage.Signed] = ["Signed at the steering group meeting", "Accession statement signed"],
        [Stage.Declined] = ["No capacity for due diligence this year", "Prefers an international initiative", "Parent company decides centrally"],
        [Stage.NotNow] = ["Reorganisation under way; asked to call again later", "Budget for next year not yet set", "Waiting for the new sustainability manager"],
        [Stage.Left] = ["Left after the annual evaluation", "Company sold; new owner does not continue"],
    };

    private static readonly Dictionary<Stage, string[]> NextActions = new()
    {
        [Stage.Identified] = ["Find the right contact person", "Send introduction letter"],
        [Stage.Contacted] = ["Call back about the brochure", "Invite to the next network event"],
        [Stage.Engaged] = ["Send draft commitment", "Plan intake meeting"],
        [Stage.Intake] = ["Review risk analysis plan", "Agree signing date"],
        [Stage.SigningScheduled] = ["Prepare signing documents", "Confirm signing ceremony"],
        [Stage.NotNow] = ["Check in on the reorganisation"],
    };
}
