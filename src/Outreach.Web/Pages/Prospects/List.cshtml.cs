using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Calendar;
using Outreach.Core.Pipeline;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Web.Pages.Prospects;

/// <summary>
/// Every prospect as a list: the board's filters, sorting by a column heading, a page at a time with the total, a choice of
/// columns, and a CSV of exactly the list (same filters, order and columns; every page). Everything lives in the URL.
/// </summary>
public sealed class ListModel(
    IPipelineStore pipeline, IProspectStore prospects, ReportFigures figures, Outreach.Core.Events.IEventStore events, Outreach.Web.Reports.ReportCache reportCache,
    TimeProvider clock, IStringLocalizer<SharedResource> T) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Covenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sector { get; set; }
    [BindProperty(SupportsGet = true)] public string? PartyKind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    [BindProperty(SupportsGet = true)] public string? Stage { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public bool Overdue { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    [BindProperty(SupportsGet = true)] public bool Desc { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public int Size { get; set; } = ProspectList.DefaultPageSize;
    [BindProperty(SupportsGet = true)] public string[]? Col { get; set; }
    /// <summary>A report figure (ReportFigure.Code): the list shows the prospects it counts, under the report's filters below.</summary>
    [BindProperty(SupportsGet = true)] public string? Figure { get; set; }
    /// <summary>An exit figure's reason.</summary>
    [BindProperty(SupportsGet = true)] public string? Reason { get; set; }
    /// <summary>The report's period (with <see cref="Figure"/>).</summary>
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public bool ExcludeImported { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<ProspectColumn> Columns { get; private set; } = ProspectList.DefaultColumns;
    public ProspectSort SortBy { get; private set; } = ProspectSort.Name;
    public Page<ProspectSummary> Rows { get; private set; } = new([], 0, 1, ProspectList.DefaultPageSize);
    public DateOnly Today { get; private set; }
    public int PageCount => Math.Max(1, (Rows.Total + Rows.PageSize - 1) / Rows.PageSize);
    public int FirstShown => Rows.Total == 0 ? 0 : ((Rows.PageNumber - 1) * Rows.PageSize) + 1;
    public int LastShown => FirstShown == 0 ? 0 : FirstShown + Rows.Items.Count - 1;
    /// <summary>The report query and figure this list stands for, when it came from a report figure's link.</summary>
    public (ReportQuery Query, ReportFigure Figure)? FromReport { get; private set; }
    public IReadOnlyList<string> FigureErrors { get; private set; } = [];
    /// <summary>What a follow-through or onboarding-step figure is about, by name: the event, the host party, the milestone.</summary>
    public string? FigureSubject { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var filter = await LoadAsync(ct);
        Rows = await pipeline.ListAsync(filter, SortBy, Desc, PageNumber, Size, ct);
        // A page past the end (the list shrank since the link was made) shows the last page instead of nothing.
        if (Rows.Items.Count == 0 && Rows.Total > 0 && PageNumber > 1)
            Rows = await pipeline.ListAsync(filter, SortBy, Desc, PageCount, Size, ct);
        PageNumber = Rows.PageNumber;
    }

    /// <summary>The whole list (every page, up to <see cref="ProspectList.MaxExportRows"/>) in the shown order and columns.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        var filter = await LoadAsync(ct);
        var all = await pipeline.ListAsync(filter, SortBy, Desc, 1, ProspectList.MaxExportRows, ct);
        var csv = CsvTable.Write(Columns.Select(c => (string)T[c.Label()]).ToList(), all.Items.Select(p => Columns.Select(c => Cell(p, c, csv: true)).ToList()));
        Hosting.PersonalDataDownloads.NotCached(Response);
        // A byte order mark, so that Excel reads the file as UTF-8.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"prospects-{Format.Iso(Today)}.csv");
    }

    /// <summary>A cell as shown (or, for the CSV, dates as yyyy-mm-dd so a spreadsheet reads them as dates).</summary>
    public string Cell(ProspectSummary p, ProspectColumn column, bool csv = false) => column switch
    {
        ProspectColumn.Organisation => p.OrganisationName,
        ProspectColumn.Covenant => p.CovenantCode,
        ProspectColumn.Stage => T[p.Stage.Label()],
        ProspectColumn.DaysInStage => ProspectList.DaysInStage(p, Today).ToString(CultureInfo.InvariantCulture),
        ProspectColumn.Owner => p.Owner,
        ProspectColumn.Sector => p.Sector,
        ProspectColumn.PartyKind => T[p.PartyKind.Label()],
        ProspectColumn.NextAction => p.NextAction ?? "",
        ProspectColumn.NextActionDue => csv ? Format.Iso(p.NextActionDue) : Format.Date(p.NextActionDue),
        _ => "",
    };

    /// <summary>The report figure this list stands for, in the report's words.</summary>
    public string DescribeFigure(ReportFigure f)
    {
        ArgumentNullException.ThrowIfNull(f);
        string S(Stage? s) => s is { } x ? T[x.Label()] : T["first contact"];
        return f.Kind switch
        {
            FigureKind.CohortFunnel => T["Cohort funnel: first contacted in the period, got as far as {0}", S(f.Stage)],
            FigureKind.PeriodFunnel => T["Period funnel: first reached {0} in the period", S(f.Stage)],
            FigureKind.ConversionOf => T["Conversion from {0} to {1}: first reached {0} in the period", S(f.From), S(f.Stage)],
            FigureKind.ConversionWent => T["Conversion from {0} to {1}: went on to {1} in the period", S(f.From), S(f.Stage)],
            FigureKind.Duration => T["Days from {0} to {1}: reached {1} in the period", S(f.From), S(f.Stage)],
            FigureKind.TimeToSign => T["Time from first contact to signed: {0}", new Outreach.Web.Reports.ReportTables(T).Bucket(Bucket(f.Bucket!.Value))],
            FigureKind.Cohort => T["Cohort: first contacted in {0} Q{1}", f.Year!.Value, f.Quarter!.Value],
            FigureKind.EventsOf => f.Attended == true ? T["Network events: attended, first contacted in the period"] : T["Network events: did not attend, first contacted in the period"],
            FigureKind.EventsWent => f.Attended == true ? T["Network events: attended, went on to sign"] : T["Network events: did not attend, went on to sign"],
            FigureKind.EventAttendees or FigureKind.EventWent or FigureKind.EventReached => $"{T["Network event “{0}”", FigureSubject ?? ""]}: {FollowThrough(f)}",
            FigureKind.HostAttendees or FigureKind.HostWent or FigureKind.HostReached =>
                $"{(f.HostId is null ? T["Network events without a host party"] : T["Network events hosted by “{0}”", FigureSubject ?? ""])}: {FollowThrough(f)}",
            FigureKind.OnboardingParties => $"{T["After signing"]}: {Onboarding(f.Measure)}",
            FigureKind.OnboardingCohort => $"{T["After signing"]}: {Onboarding(f.Measure)} · {T["signed in {0} Q{1}", f.Year!.Value, f.Quarter!.Value]}",
            FigureKind.OnboardingStep => $"{T["After signing"]}: {(f.Measure == OnboardingMeasure.Done ? T["did “{0}” in year one", FigureSubject ?? f.Milestone!] : T["were asked “{0}” in year one", FigureSubject ?? f.Milestone!])} · {T["signed in {0} Q{1}", f.Year!.Value, f.Quarter!.Value]}",
            _ => f.Reason is { } r ? T["Moved to {0} in the period, giving the reason “{1}”", S(f.Stage), r] : T["Moved to {0} in the period", S(f.Stage)],
        };
    }

    private string FollowThrough(ReportFigure f) => f.Kind switch
    {
        FigureKind.EventAttendees or FigureKind.HostAttendees => T["attendee organisations, one prospect each"],
        FigureKind.EventWent or FigureKind.HostWent => T["attendee organisations that went on to a next stage with the event's credit"],
        _ => T["attendee organisations that reached {0} with the event's credit", T[f.Stage!.Value.Label()]],
    };

    private string Onboarding(OnboardingMeasure? measure) => measure switch
    {
        OnboardingMeasure.Signed => T["signed in the period, with milestones due in year one"],
        OnboardingMeasure.Started => T["started: a year-one milestone done"],
        OnboardingMeasure.Onboarded => T["onboarded: every year-one milestone done"],
        OnboardingMeasure.WithinYearOne => T["not onboarded yet, still within year one"],
        OnboardingMeasure.WithoutYearOne => T["signed in the period, without year-one milestones"],
        _ => T["left since signing"],
    };

    /// <summary>The name of what the figure is about (as the report showed it), for its description.</summary>
    private async Task<string?> SubjectAsync(ReportQuery query, ReportFigure figure, CancellationToken ct)
    {
        // An id that names nothing (a deleted event, an edited link) lists nobody; the id stands in for the name.
        if (figure.EventId is { } eventId) return (await events.GetEventAsync(eventId, ct))?.Title ?? "#" + eventId.ToString(CultureInfo.InvariantCulture);
        if (figure.IsFollowThrough && figure.HostId is { } hostId) return (await prospects.GetOrganisationAsync(hostId, ct))?.Name ?? "#" + hostId.ToString(CultureInfo.InvariantCulture);
        if (figure.Kind != FigureKind.OnboardingStep) return null;
        // The milestone's name from the report's own step (cached beside the report page), in the reader's language.
        var step = (await (await reportCache.NowAsync(ct)).OnboardingAsync(query, ct)).Cohorts
            .Where(c => c.Year == figure.Year && c.Quarter == figure.Quarter).SelectMany(c => c.Steps).FirstOrDefault(s => s.Key == figure.Milestone);
        return step?.Name(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
    }

    private static TimeToSignBucket Bucket(int i)
    {
        var bounds = ConversionReportBuilder.TimeToSignBounds;
        return i < bounds.Count ? new TimeToSignBucket(i == 0 ? 0 : bounds[i - 1], bounds[i], 0) : new TimeToSignBucket(bounds[^1], null, 0);
    }

    /// <summary>The current view's query string values, with some changed (a heading's sort, another page, the export).</summary>
    public Dictionary<string, string> With(string? sort = null, bool? desc = null, int? page = null)
    {
        var values = new Dictionary<string, string>
        {
            ["covenant"] = Covenant ?? "", ["sector"] = Sector ?? "", ["partyKind"] = PartyKind ?? "", ["owner"] = Owner ?? "",
            ["stage"] = Stage ?? "", ["q"] = Q ?? "", ["overdue"] = Overdue ? "true" : "",
            ["figure"] = Figure ?? "", ["reason"] = Reason ?? "", ["from"] = From ?? "", ["to"] = To ?? "", ["excludeImported"] = ExcludeImported ? "true" : "",
            ["sort"] = sort ?? SortBy.Code(), ["desc"] = (desc ?? Desc) ? "true" : "",
            ["p"] = (page ?? PageNumber).ToString(CultureInfo.InvariantCulture), ["size"] = Size.ToString(CultureInfo.InvariantCulture),
        };
        // Repeated "col" keys do not fit a dictionary: one comma-separated value, which the binder reads back below.
        values["col"] = string.Join(",", Columns.Select(c => c.Code()));
        return values.Where(v => v.Value.Length > 0).ToDictionary(v => v.Key, v => v.Value);
    }

    public string Href(Dictionary<string, string> values) =>
        "/prospects?" + string.Join("&", values.Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));

    /// <summary>
    /// With a report figure: the prospects it counts, worked out by the report's own rules from the report's inputs under
    /// the same filters (covenants, period, sector, party kind, owner, imported history). A figure or filter that cannot
    /// be read lists nobody and says why, rather than quietly listing everyone.
    /// </summary>
    private async Task<IReadOnlyCollection<long>?> FigureEntriesAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(Figure)) return null;
        var (query, errors) = ReportFilters.Parse([Covenant], null, From, To, Sector, PartyKind, Owner, Covenants, Today, ExcludeImported);
        if (query is null)
        {
            FigureErrors = errors.Select(e => (string)T.Message(e.Message)).ToList();
            return [];
        }

        if (!ReportFigure.TryParse(Figure, Reason, out var figure))
        {
            FigureErrors = [T["Unknown report figure '{0}'.", Figure]];
            return [];
        }

        FromReport = (query, figure);
        FigureSubject = await SubjectAsync(query, figure, ct);
        return await figures.EntryIdsAsync(query, figure, ct);
    }

    private async Task<ProspectFilter> LoadAsync(CancellationToken ct)
    {
        Today = AmsterdamClock.Today(clock);
        Covenants = await prospects.ListCovenantsAsync(ct);
        Owners = await prospects.ListOwnersAsync(ct);
        Sectors = await prospects.ListSectorsAsync(ct);
        Columns = ProspectList.ParseColumns(Col?.SelectMany(c => c.Split(',')));
        SortBy = ProspectList.TryParseSort(Sort, out var sort) ? sort : ProspectSort.Name;
        Size = ProspectList.PageSizes.Contains(Size) ? Size : ProspectList.DefaultPageSize;
        PageNumber = Math.Max(1, PageNumber);
        var entryIds = await FigureEntriesAsync(ct);
        return new ProspectFilter
        {
            // From a report figure the covenants (one or several) are the report's, already in the figure's prospects.
            CovenantId = Figure is null ? Covenants.FirstOrDefault(c => c.Code == Covenant)?.Id : null,
            EntryIds = entryIds,
            Sector = Sector,
            PartyKind = PartyKinds.TryParse(PartyKind, out var kind) ? kind : null,
            Owner = Owner,
            Stage = Stages.TryParse(Stage, out var stage) ? stage : null,
            Text = Q,
            Overdue = Overdue ? true : null,
        };
    }
}
