using Outreach.Core.Access;
using Outreach.Core.Common;
using Outreach.Core.Events;
using Outreach.Core.Jobs;
using Outreach.Core.Mail;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Sequences;

namespace Outreach.Core.Tests;

/// <summary>
/// Every enum that is stored, with the codes written here literally: what existing databases hold. Renaming a member
/// must not change these (a test failure here means stored data would no longer read back).
/// </summary>
public sealed class StoredCodesTests
{
    /// <summary>Every member has the pinned code; the code reads back as the member and writes again as the code; codes are unique.</summary>
    private static void AssertBothWays<T>(Func<T, string> code, Func<string, T> parse, params (T Member, string Code)[] stored) where T : struct, Enum
    {
        Assert.Equal(Enum.GetValues<T>().Order(), stored.Select(s => s.Member).Order());
        foreach (var (member, expected) in stored)
        {
            Assert.Equal(expected, code(member));
            Assert.Equal(member, parse(expected));
            Assert.Equal(expected, code(parse(expected)));
        }

        Assert.Equal(stored.Length, stored.Select(s => s.Code).Distinct(StringComparer.Ordinal).Count());
    }

    private static Func<string, T> Strict<T>(TryParser<T> tryParse) where T : struct, Enum =>
        text => tryParse(text, out var value) ? value : throw new FormatException(text);

    private delegate bool TryParser<T>(string? text, out T value);

    [Fact]
    public void EventFormat_IsStoredAsItsCode() => AssertBothWays(EventFormats.Code, EventFormats.Parse,
        (EventFormat.Physical, "physical"), (EventFormat.Online, "online"), (EventFormat.Hybrid, "hybrid"));

    [Fact]
    public void EventStatus_IsStoredAsItsCode() => AssertBothWays(EventStatuses.Code, EventStatuses.Parse,
        (EventStatus.Scheduled, "scheduled"), (EventStatus.Cancelled, "cancelled"));

    [Fact]
    public void InvitationResponse_IsStoredAsItsCode() => AssertBothWays(InvitationResponses.Code, InvitationResponses.Parse,
        (InvitationResponse.None, "none"), (InvitationResponse.Accepted, "accepted"),
        (InvitationResponse.Tentative, "tentative"), (InvitationResponse.Declined, "declined"));

    [Fact]
    public void PlaceStatus_IsStoredAsItsCode() => AssertBothWays(PlaceStatuses.Code, PlaceStatuses.Parse,
        (PlaceStatus.None, "none"), (PlaceStatus.Confirmed, "confirmed"), (PlaceStatus.Waitlisted, "waitlisted"),
        (PlaceStatus.Offered, "offered"), (PlaceStatus.Lapsed, "lapsed"));

    [Fact]
    public void EventMailKind_IsStoredAsItsCode() => AssertBothWays(EventMailKinds.Code, EventMailKinds.Parse,
        (EventMailKind.Invitation, "invitation"), (EventMailKind.Update, "update"), (EventMailKind.Cancelled, "cancelled"),
        (EventMailKind.PlaceOffered, "place_offered"), (EventMailKind.Reminder, "reminder"), (EventMailKind.Thanks, "thanks"),
        (EventMailKind.NoShow, "no_show"), (EventMailKind.Waitlisted, "waitlisted"), (EventMailKind.Withdrawn, "withdrawn"));

    [Fact]
    public void OutboxStatus_IsStoredAsItsCode() => AssertBothWays(OutboxStatuses.Code, OutboxStatuses.Parse,
        (OutboxStatus.Pending, "pending"), (OutboxStatus.Sending, "sending"), (OutboxStatus.Sent, "sent"),
        (OutboxStatus.Failed, "failed"), (OutboxStatus.Cancelled, "cancelled"));

    [Fact]
    public void Role_IsStoredAsItsCode() => AssertBothWays(Roles.Code, Roles.Parse,
        (Role.Manager, "manager"), (Role.Secretariat, "secretariat"), (Role.Administrator, "administrator"));

    [Fact]
    public void EnrolmentState_IsStoredAsItsCode() => AssertBothWays(EnrolmentStates.Code, EnrolmentStates.Table.Parse,
        (EnrolmentState.Active, "active"), (EnrolmentState.Paused, "paused"),
        (EnrolmentState.Stopped, "stopped"), (EnrolmentState.Completed, "completed"));

    [Fact]
    public void JobOutcome_IsStoredAsItsCode_KeepingTheMemberNamesItWasFirstStoredUnder() => AssertBothWays(JobOutcomes.Code, JobOutcomes.Parse,
        (JobOutcome.Running, "Running"), (JobOutcome.Succeeded, "Succeeded"), (JobOutcome.Failed, "Failed"), (JobOutcome.Skipped, "Skipped"),
        (JobOutcome.PartlyFailed, "PartlyFailed"));

    [Fact]
    public void Stage_IsStoredAsItsCode() => AssertBothWays(Stages.Code, Stages.Parse,
        (Stage.Identified, "identified"), (Stage.Contacted, "contacted"), (Stage.Engaged, "engaged"),
        (Stage.Intake, "intake"), (Stage.SigningScheduled, "signing_scheduled"), (Stage.Signed, "signed"),
        (Stage.Declined, "declined"), (Stage.NotNow, "not_now"), (Stage.Left, "left"));

    [Fact]
    public void StopReason_IsStoredAsItsCode() => AssertBothWays(StopReasons.Code, Strict<StopReason>(StopReasons.TryParse),
        (StopReason.Reply, "reply"), (StopReason.StageMovedOn, "stage_moved_on"), (StopReason.OptedOut, "opted_out"),
        (StopReason.HardBounce, "hard_bounce"), (StopReason.Manual, "manual"));

    [Fact]
    public void PartyKind_IsStoredAsItsCode() => AssertBothWays(PartyKinds.Code, PartyKinds.Parse,
        (PartyKind.Company, "company"), (PartyKind.BranchOrganisation, "branch_organisation"), (PartyKind.Ngo, "ngo"),
        (PartyKind.TradeUnion, "trade_union"), (PartyKind.Government, "government"), (PartyKind.KnowledgeInstitute, "knowledge_institute"));

    [Fact]
    public void LawfulBasis_IsStoredAsItsCode() => AssertBothWays(LawfulBases.Code, Strict<LawfulBasis>(LawfulBases.TryParse),
        (LawfulBasis.LegitimateInterest, "legitimate_interest"), (LawfulBasis.Consent, "consent"));

    [Fact]
    public void ContactLanguage_IsStoredAsItsCode() => AssertBothWays(ContactLanguages.Code, Strict<ContactLanguage>(ContactLanguages.TryParse),
        (ContactLanguage.Nl, "nl"), (ContactLanguage.En, "en"));

    private enum Colour { Red, Green }

    [Fact]
    public void ACodeTable_RefusesAMissingMember_AndATwiceUsedCode()
    {
        Assert.Throws<InvalidOperationException>(() => new CodeTable<Colour>(new Dictionary<Colour, string> { [Colour.Red] = "red" }));
        Assert.Throws<InvalidOperationException>(() => new CodeTable<Colour>(new Dictionary<Colour, string> { [Colour.Red] = "red", [Colour.Green] = "red" }));
        var table = new CodeTable<Colour>(new Dictionary<Colour, string> { [Colour.Red] = "red", [Colour.Green] = "green" });
        Assert.Throws<FormatException>(() => table.Parse("Red"));
        Assert.False(table.TryParse(null, out _));
    }
}
