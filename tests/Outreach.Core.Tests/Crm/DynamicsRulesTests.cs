using Outreach.Core.Access;
using Outreach.Core.Crm;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Core.Tests.Crm;

/// <summary>The rules for what Dynamics users ask of Outreach: who they are here, who owns a start, what starts, which prospect a move is for.</summary>
public sealed class DynamicsRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    private static UserAccount User(long id, string userName, string displayName, bool disabled = false) => new()
    {
        Id = id, UserName = userName, DisplayName = displayName, Role = Role.Secretariat, PasswordHash = "x", DisabledAt = disabled ? At : null,
    };

    private static readonly IReadOnlyList<UserAccount> Users =
    [
        User(1, "anne@secretariaat.nl", "Anne de Vries"),
        User(2, "piet", "Piet Bakker"),
        User(3, "oud@secretariaat.nl", "Oud Lid", disabled: true),
        User(4, "kees1", "Kees Jansen"),
        User(5, "kees2", "Kees Jansen"),
    ];

    private static readonly Covenant Gold = new(10, "gold", "Responsible Gold", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));
    private static readonly Covenant Metals = new(11, "metals", "Metals", new DateOnly(2023, 1, 1), new DateOnly(2027, 12, 31));

    [Theory]
    [InlineData("anne@secretariaat.nl", null, "Someone Else", "Anne de Vries")]
    [InlineData("ANNE@Secretariaat.NL", null, "", "Anne de Vries")]
    [InlineData(null, "piet", "P. Bakker", "Piet Bakker")]
    [InlineData("piet.b@partner.nl", null, "piet bakker", "Piet Bakker")]
    [InlineData("jan@partner.nl", "jan@partner.onmicrosoft.com", "Jan Jansen", "Dynamics: Jan Jansen")]
    [InlineData("oud@secretariaat.nl", null, "Oud Lid", "Dynamics: Oud Lid")]
    [InlineData("kees@partner.nl", null, "Kees Jansen", "Dynamics: Kees Jansen")]
    [InlineData("x@partner.nl", null, "  ", "Dynamics: x@partner.nl")]
    public void ADynamicsUser_IsTheOutreachUserTheirAddressSignInOrNameNames_ElseDynamicsAndTheirName(string? email, string? domain, string fullName, string expected)
    {
        // By e-mail address, then sign-in name, then full name; a disabled user and an ambiguous name map to nobody.
        Assert.Equal(expected, DynamicsRules.Actor(new CrmUser(Guid.NewGuid(), fullName, email, domain), Users));
    }

    [Fact]
    public void AMoveRequestedByAnOutreachManager_IsRefused_ByTheirOutreachRole()
    {
        IReadOnlyList<UserAccount> users = [.. Users, User(6, "mia@secretariaat.nl", "Mia Manager") with { Role = Role.Manager }];
        var refusal = DynamicsRules.RoleRefusal(new CrmUser(Guid.NewGuid(), "Mia M.", "MIA@secretariaat.nl", null), users);
        Assert.Equal(new Common.DomainMessage("{0} has the manager role in Outreach, which may view prospects but not move them.", "Mia Manager"), refusal);
        // The secretariat moves; a Dynamics user who is no Outreach user is governed by their Dynamics security role.
        Assert.Null(DynamicsRules.RoleRefusal(new CrmUser(Guid.NewGuid(), "Anne", "anne@secretariaat.nl", null), users));
        Assert.Null(DynamicsRules.RoleRefusal(new CrmUser(Guid.NewGuid(), "Jan Jansen", "jan@partner.nl", null), users));
        Assert.Null(DynamicsRules.RoleRefusal(null, users));
    }

    [Fact]
    public void AnUnknownDynamicsUser_IsRecordedAsSuch() =>
        Assert.Equal("Dynamics: unknown user", DynamicsRules.Actor(null, Users));

    [Theory]
    [InlineData("anne@secretariaat.nl", "Anne de Vries")]
    [InlineData(" piet bakker ", "Piet Bakker")]
    [InlineData("A taskforce member", "A taskforce member")]
    [InlineData(null, null)]
    public void TheOutreachOwner_IsMappedToTheUsersNameWhenItNamesOne_ElseKeptAsWritten(string? owner, string? expected) =>
        Assert.Equal(expected, DynamicsRules.Owner(owner, Users));

    private static CrmAccount Account(Guid id, string? covenant, Stage? first = null) =>
        new(id, "Goud B.V.", null, null, null, null, null, null, null, covenant) { FirstStage = first };

    private static Dictionary<Guid, CrmAccountLink> Links(params CrmAccountLink[] links) => links.ToDictionary(l => l.AccountId);

    [Fact]
    public void ACovenantOnTheAccount_StartsAProspectThere_InItsFirstStage_IdentifiedWhenEmpty()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var decisions = DynamicsRules.Starts([Account(a, " GOLD "), Account(b, "metals", Stage.Contacted)],
            Links(new CrmAccountLink(a, 1, false, []), new CrmAccountLink(b, 2, false, [])), [Gold, Metals]);

        Assert.Equal(
            [(a, 1L, (Covenant?)Gold, Stage.Identified, true), (b, 2L, Metals, Stage.Contacted, true)],
            decisions.Select(d => (d.AccountId, d.OrganisationId, d.Covenant, d.Stage, d.Starts)));
        Assert.Equal("Started in 'contacted' (covenant metals).", DynamicsRules.StartedMessage(decisions[1]));
    }

    [Fact]
    public void AStart_IsRefusedWithTheReason_ForAnUnknownCovenantOrAFirstStageTooFar()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var decisions = DynamicsRules.Starts([Account(a, "tin"), Account(b, "gold", Stage.Engaged)],
            Links(new CrmAccountLink(a, 1, false, []), new CrmAccountLink(b, 2, false, [])), [Gold, Metals]);

        Assert.All(decisions, d => Assert.False(d.Starts));
        Assert.Equal("Refused: Outreach has no covenant with the code 'tin' (known: gold, metals).", DynamicsRules.StartedMessage(decisions[0]));
        Assert.Equal("Refused: A new prospect starts in 'identified' or 'contacted', not in 'engaged'.", DynamicsRules.StartedMessage(decisions[1]));
    }

    [Fact]
    public void NothingStarts_WithoutACovenant_ForAnAccountNotSyncedOrDeleted_OrWhenTheProspectExists()
    {
        var (none, unknown, removed, existing) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var decisions = DynamicsRules.Starts(
            [Account(none, "  "), Account(unknown, "gold"), Account(removed, "gold"), Account(existing, "gold", Stage.Engaged)],
            Links(new CrmAccountLink(none, 1, false, []), new CrmAccountLink(removed, 3, true, []),
                new CrmAccountLink(existing, 4, false, [new CrmAccountEntry(40, Gold.Id, "gold")])),
            [Gold]);

        // The write-back sets the covenant on the account of every prospect: that must not start (or refuse) anything.
        Assert.Empty(decisions);
    }

    [Fact]
    public void TwoAccountsOfOneOrganisationOnAPage_StartOneProspect()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var decisions = DynamicsRules.Starts([Account(a, "gold"), Account(a, "gold")], Links(new CrmAccountLink(a, 1, false, [])), [Gold]);
        Assert.Single(decisions);
        Assert.Empty(DynamicsRules.Starts([Account(b, "gold")], Links(), [Gold]));
    }

    private static CrmStageRequest Request(Guid account, string? covenant = null, Stage? to = Stage.Contacted) =>
        new(Guid.NewGuid(), account, covenant, to, "Called", null, null);

    [Fact]
    public void ARequestedMove_IsForTheNamedCovenantsProspect_OrTheOnlyOne()
    {
        var account = Guid.NewGuid();
        var one = new CrmAccountLink(account, 1, false, [new CrmAccountEntry(40, Gold.Id, "gold")]);
        var two = one with { Entries = [.. one.Entries, new CrmAccountEntry(41, Metals.Id, "metals")] };

        Assert.Equal((40L, null), DynamicsRules.EntryFor(Request(account), one));
        Assert.Equal((41L, null), DynamicsRules.EntryFor(Request(account, "METALS"), two));
        Assert.Equal("The account has prospects in several covenants (gold, metals): name the covenant on the request.",
            DynamicsRules.EntryFor(Request(account), two).Refusal!.ToString());
        Assert.Equal("The account has no prospect in the covenant 'tin'.", DynamicsRules.EntryFor(Request(account, "tin"), two).Refusal!.ToString());
    }

    [Fact]
    public void ARequestedMove_IsRefusedWithTheReason_WhenItsProspectCannotBeFound()
    {
        var account = Guid.NewGuid();
        var link = new CrmAccountLink(account, 1, false, []);
        Assert.Equal("The account has no prospect in Outreach: set the covenant on the account to start one.", DynamicsRules.EntryFor(Request(account), link).Refusal!.ToString());
        Assert.Equal("The account was deleted in Dynamics.", DynamicsRules.EntryFor(Request(account), link with { Removed = true }).Refusal!.ToString());
        Assert.Equal("The account is not (yet) in Outreach; the next sync brings it in.", DynamicsRules.EntryFor(Request(account), null).Refusal!.ToString());
        Assert.Equal("The request names no stage to move to.", DynamicsRules.EntryFor(Request(account, to: null), link).Refusal!.ToString());
        Assert.Equal("The request names no account.", DynamicsRules.EntryFor(Request(account) with { AccountId = null }, link).Refusal!.ToString());
    }
}
