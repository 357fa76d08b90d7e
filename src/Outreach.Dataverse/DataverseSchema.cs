using Outreach.Core.Pipeline;

namespace Outreach.Dataverse;

/// <summary>
/// Every Dataverse table, entity set and column name the code reads or writes, in one place. The names test
/// (tests/Outreach.Dataverse.Tests/SolutionNamesTests) checks each one against solutions/Outreach/customizations.xml
/// or the list of standard names, so the solution and the code cannot drift apart.
/// </summary>
public static class DataverseSchema
{
    public static class Account
    {
        public const string Table = "account";
        public const string EntitySet = "accounts";
        public const string Id = "accountid";
        public const string Name = "name";
        public const string Website = "websiteurl";
        public const string AddressLine = "address1_line1";
        public const string PostalCode = "address1_postalcode";
        public const string City = "address1_city";
        public const string Country = "address1_country";
        public const string KvkNumber = "otr_kvknumber";
        public const string OutreachOwner = "otr_outreachowner";
        public const string Covenant = "otr_covenant";
        public const string PipelineStage = "otr_pipelinestage";
        public const string PipelineStageSince = "otr_pipelinestagesince";
        public const string NextAction = "otr_nextaction";
        public const string NextActionDue = "otr_nextactiondue";
        /// <summary>The prospect's page in Outreach (a URL column shown on the account's Outreach tab), written back with the stage.</summary>
        public const string OutreachUrl = "otr_outreachurl";

        /// <summary>
        /// The party's onboarding status, "3 of 5 done": the onboarding panel's count (milestones asked once and the yearly ones
        /// of the monitoring years begun, without those dropped when it left), as of the last milestone write-back. Written by Outreach.
        /// </summary>
        public const string OnboardingStatus = "otr_onboardingstatus";

        /// <summary>The stage a prospect started from the covenant begins in (a choice of otr_pipelinestage, set in Dynamics).</summary>
        public const string FirstStage = "otr_firststage";
        /// <summary>Outreach's answer to the start (started, or refused with the reason), written back.</summary>
        public const string StartOutcome = "otr_startoutcome";

        /// <summary>
        /// What the sync reads: master data, the covenant with its first stage (setting it in Dynamics starts a prospect in
        /// Outreach), and the next action a Dynamics user may edit (taken in unless the change is Outreach's own echo). The
        /// pipeline stage follows Outreach, so it is not read: a move is requested as a stage change row.
        /// </summary>
        /// <summary>Who last changed the account: Outreach's application user (its own write-back) or a Dynamics user.</summary>
        public const string ModifiedByValue = "_modifiedby_value";

        public static readonly IReadOnlyList<string> SyncColumns =
            [Id, Name, Website, AddressLine, PostalCode, City, Country, KvkNumber, OutreachOwner, Covenant, FirstStage, NextAction, NextActionDue, ModifiedByValue];
    }

    public static class Contact
    {
        public const string Table = "contact";
        public const string EntitySet = "contacts";
        public const string Id = "contactid";
        public const string FullName = "fullname";
        public const string Email = "emailaddress1";
        public const string JobTitle = "jobtitle";
        /// <summary>The lookup to the account, as the Web API returns it.</summary>
        public const string ParentCustomer = "parentcustomerid";
        public const string ParentCustomerValue = "_parentcustomerid_value";
        public const string OptedOut = "otr_optedout";
        public const string OptedOutOn = "otr_optedouton";

        public static readonly IReadOnlyList<string> SyncColumns = [Id, FullName, Email, JobTitle, ParentCustomerValue, OptedOut, OptedOutOn];
    }

    /// <summary>The standard task activity: a stage change appears on the account's timeline as a completed task.</summary>
    public static class TaskActivity
    {
        public const string Table = "task";
        public const string EntitySet = "tasks";
        public const string Id = "activityid";
        public const string Subject = "subject";
        public const string Description = "description";
        public const string RegardingAccountBind = "regardingobjectid_account_task@odata.bind";
    }

    // Standard activity tables (no solution change): Outreach's calls, meetings and notes go to the account's timeline as
    // these, and Dynamics users' ones are read back (issue 15). Names from the Web API reference (phonecall, appointment,
    // annotation EntityTypes); the state and status values from the tables' statecode/statuscode choices.

    /// <summary>A phone call (activity table; change tracking can be enabled on it, like on account and contact).</summary>
    public static class PhoneCallActivity
    {
        public const string Table = "phonecall";
        public const string EntitySet = "phonecalls";
        public const string Id = "activityid";
        public const string Subject = "subject";
        public const string Description = "description";
        /// <summary>Boolean: true outgoing, false incoming.</summary>
        public const string Direction = "directioncode";
        public const string Duration = "actualdurationminutes";
        public const string ActualStart = "actualstart";
        public const string ActualEnd = "actualend";
        public const string State = "statecode";
        public const string Status = "statuscode";
        public const string RegardingAccountBind = "regardingobjectid_account_phonecall@odata.bind";
        public const string RegardingValue = "_regardingobjectid_value";
        public const string CreatedByValue = "_createdby_value";

        public static readonly IReadOnlyList<string> SyncColumns = [Id, Subject, Description, Direction, Duration, ActualStart, ActualEnd, State, RegardingValue, CreatedByValue];
    }

    /// <summary>An appointment (activity table; change tracking can be enabled on it).</summary>
    public static class AppointmentActivity
    {
        public const string Table = "appointment";
        public const string EntitySet = "appointments";
        public const string Id = "activityid";
        public const string Subject = "subject";
        public const string Description = "description";
        public const string Location = "location";
        public const string ScheduledStart = "scheduledstart";
        public const string ScheduledEnd = "scheduledend";
        public const string Duration = "actualdurationminutes";
        public const string State = "statecode";
        public const string Status = "statuscode";
        public const string RegardingAccountBind = "regardingobjectid_account_appointment@odata.bind";
        public const string RegardingValue = "_regardingobjectid_value";
        public const string CreatedByValue = "_createdby_value";

        public static readonly IReadOnlyList<string> SyncColumns = [Id, Subject, Description, Location, ScheduledStart, ScheduledEnd, Duration, State, RegardingValue, CreatedByValue];
    }

    /// <summary>
    /// A note (annotation; not an activity, no state). Read by a modifiedon watermark: Outreach does not rely on change
    /// tracking for annotations (see docs/dynamics.md), so $filter and $orderby on modifiedon are allowed.
    /// </summary>
    public static class NoteAnnotation
    {
        public const string Table = "annotation";
        public const string EntitySet = "annotations";
        public const string Id = "annotationid";
        public const string Subject = "subject";
        public const string Text = "notetext";
        public const string ObjectAccountBind = "objectid_account@odata.bind";
        public const string ObjectValue = "_objectid_value";
        public const string CreatedOn = "createdon";
        public const string ModifiedOn = "modifiedon";
        public const string CreatedByValue = "_createdby_value";

        public static readonly IReadOnlyList<string> SyncColumns = [Id, Subject, Text, ObjectValue, CreatedOn, ModifiedOn, CreatedByValue];
    }

    /// <summary>statecode/statuscode values of the activity tables Outreach writes (completed: what was logged has happened).</summary>
    public static class ActivityStateValue
    {
        public const int Open = 0;
        public const int Completed = 1;
        public const int OpenStatus = 1;
        /// <summary>phonecall statuscode under Completed: made (outgoing) or received (incoming).</summary>
        public const int PhoneCallMade = 2;
        public const int PhoneCallReceived = 4;
        /// <summary>appointment statuscode: open/free while written, completed after.</summary>
        public const int AppointmentCompleted = 3;
    }

    // Navigation properties ("…@odata.bind") are the names customizations.xml gives the relationships
    // (NavigationPropertyName), spelled exactly: the Web API is case-sensitive and refuses any other spelling.

    /// <summary>Outreach's own append-only stage-change table (the structured twin of the timeline task).</summary>
    public static class StageChangeTable
    {
        public const string Table = "otr_stagechange";
        public const string EntitySet = "otr_stagechanges";
        public const string Id = "otr_stagechangeid";
        public const string Name = "otr_name";
        public const string AccountBind = "otr_accountid@odata.bind";
        public const string FromStage = "otr_fromstage";
        public const string ToStage = "otr_tostage";
        public const string ChangedOn = "otr_changedon";
        public const string ChangedBy = "otr_changedby";
        public const string Reason = "otr_reason";
        public const string Covenant = "otr_covenant";
        /// <summary>Requested (by a Dynamics user), applied or refused (Outreach's answer), recorded (a change made in Outreach): <see cref="RequestStatusValue"/>.</summary>
        public const string RequestStatus = "otr_requeststatus";
        /// <summary>Outreach's answer to a request, in words ("Refused: …").</summary>
        public const string Outcome = "otr_outcome";
        /// <summary>A requested move to not now needs the date to approach the party again.</summary>
        public const string RevisitOn = "otr_revisiton";
        public const string AccountValue = "_otr_accountid_value";
        /// <summary>Who created the row: the Dynamics user who requested the move (a system lookup every table has).</summary>
        public const string CreatedByValue = "_createdby_value";

        /// <summary>What the sync reads to find requested moves (change tracking is on for the table).</summary>
        public static readonly IReadOnlyList<string> SyncColumns = [Id, AccountValue, Covenant, ToStage, Reason, RevisitOn, RequestStatus, CreatedByValue];
    }

    /// <summary>The standard user table: who requested a move in Dynamics, matched to an Outreach user by e-mail address, sign-in name or name.</summary>
    public static class SystemUser
    {
        public const string Table = "systemuser";
        public const string EntitySet = "systemusers";
        public const string Id = "systemuserid";
        public const string FullName = "fullname";
        public const string Email = "internalemailaddress";
        /// <summary>The user's sign-in name (UPN) in Entra ID.</summary>
        public const string DomainName = "domainname";

        public static readonly IReadOnlyList<string> Columns = [Id, FullName, Email, DomainName];
    }

    /// <summary>A network event, written by Outreach (which owns events): one row per event, id derived from its iCalendar UID.</summary>
    public static class NetworkEventTable
    {
        public const string Table = "otr_networkevent";
        public const string EntitySet = "otr_networkevents";
        public const string Id = "otr_networkeventid";
        public const string Name = "otr_name";
        public const string StartsOn = "otr_startson";
        public const string EndsOn = "otr_endson";
        public const string Format = "otr_format";
        public const string Status = "otr_status";
        public const string Venue = "otr_venue";
        public const string Capacity = "otr_capacity";
        public const string RegistrationDeadline = "otr_registrationdeadline";
        public const string Covenant = "otr_covenant";
        public const string HostAccountBind = "otr_hostaccountid@odata.bind";
    }

    /// <summary>An invitation of a contact to a network event, with the answer, place and attendance, written by Outreach.</summary>
    public static class InvitationTable
    {
        public const string Table = "otr_invitation";
        public const string EntitySet = "otr_invitations";
        public const string Id = "otr_invitationid";
        public const string Name = "otr_name";
        public const string NetworkEventBind = "otr_networkeventid@odata.bind";
        public const string ContactBind = "otr_contactid@odata.bind";
        /// <summary>The invited person's account, so the account form's sub-grid lists its people's invitations (navigation property, lower case as the solution declares it).</summary>
        public const string AccountBind = "otr_accountid@odata.bind";
        public const string Response = "otr_response";
        public const string RespondedOn = "otr_respondedon";
        public const string Place = "otr_place";
        public const string WaitlistPosition = "otr_waitlistposition";
        public const string PlaceOfferedUntil = "otr_placeoffereduntil";
        public const string CheckedInOn = "otr_checkedinon";
        public const string AttendedOnline = "otr_attendedonline";
        /// <summary>Checked in at the door or attended online.</summary>
        public const string Attended = "otr_attended";
        public const string WalkIn = "otr_walkin";
        public const string InvitedOn = "otr_invitedon";
    }

    /// <summary>
    /// A signed party's onboarding milestone, written by Outreach (which owns onboarding): one row per milestone, its id derived
    /// from the milestone's (<see cref="Core.Crm.CrmIds.Milestone"/>), so every write is an upsert of the same row.
    /// </summary>
    public static class OnboardingMilestoneTable
    {
        public const string Table = "otr_onboardingmilestone";
        public const string EntitySet = "otr_onboardingmilestones";
        public const string Id = "otr_onboardingmilestoneid";
        /// <summary>The milestone's English name, with the monitoring year for one asked every year.</summary>
        public const string Name = "otr_name";
        public const string AccountBind = "otr_accountid@odata.bind";
        public const string Covenant = "otr_covenant";
        /// <summary>The monitoring year a yearly milestone answers; empty for one asked once.</summary>
        public const string MonitoringYear = "otr_monitoringyear";
        public const string DueOn = "otr_dueon";
        public const string DoneOn = "otr_doneon";
        /// <summary>The evidence link given, or the uploaded file's address in Outreach.</summary>
        public const string EvidenceLink = "otr_evidencelink";
        /// <summary>Open, done or dropped (<see cref="MilestoneStatusChoice"/>).</summary>
        public const string Status = "otr_status";
    }

    public const string MilestoneStatusChoice = "otr_milestonestatus";

    /// <summary>The option values of otr_milestonestatus: 100000000 + the enum's position.</summary>
    public static int ChoiceValue(Core.Crm.MilestoneStatus status) => Option((int)status, typeof(Core.Crm.MilestoneStatus), status);

    public const string EventFormatChoice = "otr_eventformat";
    public const string EventStatusChoice = "otr_eventstatus";
    public const string InvitationResponseChoice = "otr_invitationresponse";
    public const string PlaceStatusChoice = "otr_placestatus";

    /// <summary>The option values of otr_eventformat, otr_eventstatus, otr_invitationresponse and otr_placestatus: 100000000 + the enum's position.</summary>
    public static int ChoiceValue(Core.Events.EventFormat format) => Option((int)format, typeof(Core.Events.EventFormat), format);
    public static int ChoiceValue(Core.Events.EventStatus status) => Option((int)status, typeof(Core.Events.EventStatus), status);
    public static int ChoiceValue(Core.Events.InvitationResponse response) => Option((int)response, typeof(Core.Events.InvitationResponse), response);
    public static int ChoiceValue(Core.Events.PlaceStatus place) => Option((int)place, typeof(Core.Events.PlaceStatus), place);

    private static int Option(int position, Type type, object value) =>
        Enum.IsDefined(type, value) ? 100_000_000 + position : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    public const string StageRequestStatusChoice = "otr_stagerequeststatus";

    /// <summary>The option values of otr_stagerequeststatus.</summary>
    public static class RequestStatusValue
    {
        public const int Requested = 100_000_000;
        public const int Applied = 100_000_001;
        public const int Refused = 100_000_002;
        public const int Recorded = 100_000_003;
    }

    public const string PipelineStageChoice = "otr_pipelinestage";

    /// <summary>The option values of the otr_pipelinestage choice (publisher option prefix 10000).</summary>
    public static int StageValue(Stage stage) => 100_000_000 + stage switch
    {
        Stage.Identified => 0,
        Stage.Contacted => 1,
        Stage.Engaged => 2,
        Stage.Intake => 3,
        Stage.SigningScheduled => 4,
        Stage.Signed => 5,
        Stage.Declined => 6,
        Stage.NotNow => 7,
        Stage.Left => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>The stage an otr_pipelinestage option value stands for; null for a value Outreach does not know.</summary>
    public static Stage? StageOf(int value) => Stages.All.Cast<Stage?>().FirstOrDefault(s => StageValue(s!.Value) == value);
}
