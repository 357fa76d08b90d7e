using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Events;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Events;

/// <summary>Create an event, or edit and reschedule one (a change of time or place is sent to every invitee as an update).</summary>
public sealed class EditModel(EventService service, IEventStore events, IProspectStore prospects, IPipelineStore pipeline, IStringLocalizer<SharedResource> T) : PageModel
{
    public NetworkEvent? Existing { get; private set; }
    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<(long Id, string Name)> Hosts { get; private set; } = [];

    [BindProperty] public string? Title { get; set; }
    [BindProperty] public long CovenantId { get; set; }
    [BindProperty] public long? HostOrganisationId { get; set; }
    [BindProperty] public string? EventFormat { get; set; } = "physical";
    [BindProperty] public string? Venue { get; set; }
    [BindProperty] public string? OnlineJoinUrl { get; set; }
    [BindProperty] public DateTime? Start { get; set; }
    [BindProperty] public DateTime? End { get; set; }
    [BindProperty] public int? Capacity { get; set; }
    [BindProperty] public DateTime? RegistrationDeadline { get; set; }
    [BindProperty] public string? DescriptionNl { get; set; }
    [BindProperty] public string? DescriptionEn { get; set; }
    /// <summary>For a time in the autumn overlap hour (it occurs twice): which one is meant, "summer" (the first) or "winter".</summary>
    [BindProperty] public string? StartOccurrence { get; set; }
    [BindProperty] public string? EndOccurrence { get; set; }
    [BindProperty] public string? RegistrationDeadlineOccurrence { get; set; }

    public const string Summer = "summer";
    public const string Winter = "winter";

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        await LoadListsAsync(ct);
        if (id is null) return Page();
        Existing = await events.GetEventAsync(id.Value, ct);
        if (Existing is null) return NotFound();
        var d = EventRules.ToDraft(Existing);
        (Title, CovenantId, HostOrganisationId, EventFormat, Venue, OnlineJoinUrl) = (d.Title, d.CovenantId, d.HostOrganisationId, SqlCode(d.Format), d.Venue, d.OnlineJoinUrl);
        (Start, End, Capacity, RegistrationDeadline, DescriptionNl, DescriptionEn) = (d.StartLocal, d.EndLocal, d.Capacity, d.RegistrationDeadlineLocal, d.DescriptionNl, d.DescriptionEn);
        (StartOccurrence, EndOccurrence, RegistrationDeadlineOccurrence) = (Occurrence(d.StartOffset), Occurrence(d.EndOffset), Occurrence(d.RegistrationDeadlineOffset));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        await LoadListsAsync(ct);
        ModelState.Clear();
        if (id is not null && (Existing = await events.GetEventAsync(id.Value, ct)) is null) return NotFound();
        if (!Enum.TryParse<EventFormat>(EventFormat, ignoreCase: true, out var format) || !Enum.IsDefined(format))
        {
            ModelState.AddModelError(nameof(EventFormat), T["Choose physical, online or hybrid."]);
            return Page();
        }

        if (Start is null || End is null || RegistrationDeadline is null || Capacity is null)
        {
            ModelState.AddModelError(nameof(Start), T["Give the start, end, registration deadline and capacity."]);
            return Page();
        }

        // A time in the autumn overlap hour occurs twice: ask which one is meant rather than guess.
        var unchosen = false;
        foreach (var (field, value, choice) in new[] { (nameof(Start), Start, StartOccurrence), (nameof(End), End, EndOccurrence), (nameof(RegistrationDeadline), RegistrationDeadline, RegistrationDeadlineOccurrence) })
        {
            if (!IsTwice(value) || Offset(choice) is not null) continue;
            ModelState.AddModelError(field + "Occurrence", T["{0} occurs twice that day (the clocks go back from 03:00 to 02:00): choose summer time or winter time.", value!.Value.ToString("HH:mm", CultureInfo.InvariantCulture)]);
            unchosen = true;
        }

        if (unchosen) return Page();
        var draft = new NetworkEventDraft
        {
            Title = Title ?? "", CovenantId = Covenants.Any(c => c.Id == CovenantId) ? CovenantId : 0, HostOrganisationId = HostOrganisationId is > 0 ? HostOrganisationId : null,
            Format = format, Venue = Venue, OnlineJoinUrl = OnlineJoinUrl, StartLocal = Start.Value, EndLocal = End.Value, Capacity = Capacity.Value,
            RegistrationDeadlineLocal = RegistrationDeadline.Value, DescriptionNl = DescriptionNl ?? "", DescriptionEn = DescriptionEn ?? "",
            StartOffset = Offset(StartOccurrence), EndOffset = Offset(EndOccurrence), RegistrationDeadlineOffset = Offset(RegistrationDeadlineOccurrence),
        };
        var result = id is null ? await service.CreateAsync(draft, ct) : await service.EditAsync(id.Value, draft, ct);
        if (result.NotFound) return NotFound();
        foreach (var error in result.Errors ?? []) ModelState.AddModelError(error.Field, T.Message(error.Message));
        if (result.Refusal is not null) ModelState.AddModelError("", T.Message(result.Refusal));
        if (!result.Succeeded) return Page();
        TempData["Flash"] = (id is null ? T["Event created."] : T["Event saved; invitees who have not declined get the change."]).Value;
        return Redirect("/events/" + result.Event!.Id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>True for a wall-clock time that occurs twice (the hour before 03:00 on the last Sunday of October).</summary>
    public static bool IsTwice(DateTime? value) => value is { } v && Core.Calendar.AmsterdamClock.IsAmbiguous(v);

    private static TimeSpan? Offset(string? occurrence) => occurrence switch
    {
        Summer => TimeSpan.FromHours(2),
        Winter => TimeSpan.FromHours(1),
        _ => null,
    };

    private static string? Occurrence(TimeSpan? offset) => offset is null ? null : offset == TimeSpan.FromHours(2) ? Summer : Winter;

    public static string SqlCode(EventFormat format) => format.Code();

    public static string Input(DateTime? value) => value?.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) ?? "";

    private async Task LoadListsAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        var page = await pipeline.SearchAsync(new ProspectFilter(), 1, 500, ct);
        Hosts = page.Items.Select(p => (p.OrganisationId, p.OrganisationName)).Distinct().OrderBy(h => h.OrganisationName, StringComparer.CurrentCulture).ToList();
    }
}
