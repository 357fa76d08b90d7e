using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;
using Outreach.Web.Access;
using Outreach.Web.Reports;

namespace Outreach.Web.Pages.Reports;

/// <summary>
/// Conversion reports for managers: pictures with their tables, filters in the URL (a view can be shared), each
/// table as CSV, the whole report as one HTML file or one .xlsx workbook. Read-only, so every signed-in role may open it.
/// </summary>
[Authorize(Policy = Policies.Read)]
public sealed class IndexModel(ConversionReports reports, ReportCache cache, IStringLocalizer<SharedResource> localizer, IWebHostEnvironment environment) : PageModel
{
    /// <summary>Covenant codes: the parameter may repeat (the multi-select) or carry codes separated by commas (the links).</summary>
    [BindProperty(SupportsGet = true)] public string[] Covenant { get; set; } = [];
    [BindProperty(SupportsGet = true)] public string? Period { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sector { get; set; }
    [BindProperty(SupportsGet = true)] public string? PartyKind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    /// <summary>"cohort" (the default) or "period".</summary>
    [BindProperty(SupportsGet = true)] public string? Funnel { get; set; }
    /// <summary>Compare with the previous period ("1"/"true").</summary>
    [BindProperty(SupportsGet = true)] public bool Compare { get; set; }
    /// <summary>Leave out prospects whose history was imported (see ReportQuery.ExcludeImported).</summary>
    [BindProperty(SupportsGet = true)] public bool ExcludeImported { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public ConversionReport? Report { get; private set; }
    /// <summary>The same filters over the previous period, when <see cref="Compare"/> asks for it.</summary>
    public ConversionReport? Previous { get; private set; }
    public ReportPeriod Preset { get; private set; } = ReportPeriod.Custom;
    public FunnelKind FunnelKind => Tables.FunnelKind;
    public ReportTables Tables { get; } = new(localizer);
    public ReportDocument Document => new(localizer, Tables, new ReportCharts(localizer, Tables));

    /// <summary>The selected covenants' codes, in the covenants' order.</summary>
    public IReadOnlyList<string> CovenantCodes { get; private set; } = [];

    /// <summary>The current filters as query-string values, for the CSV, download and figure links.</summary>
    public Dictionary<string, string> RouteValues() => new()
    {
        ["covenant"] = string.Join(',', CovenantCodes), ["from"] = Format.Iso(Report?.Query.From), ["to"] = Format.Iso(Report?.Query.To),
        ["sector"] = Sector ?? "", ["partyKind"] = PartyKind ?? "", ["owner"] = Owner ?? "",
        ["funnel"] = FunnelKind == FunnelKind.Cohort ? "cohort" : "period",
        ["excludeImported"] = ExcludeImported ? "true" : "",
    };

    /// <summary>
    /// The prospect list behind a figure: the report's filters and the figure (with an exit's reason beside it). The
    /// list reads the report's inputs afresh and keeps the prospects the figure counts (ReportFigure.Select).
    /// </summary>
    public string FigureHref(ReportFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var values = RouteValues();
        values.Remove("funnel");
        // The step after signing ignores sector and owner: carried to the list, they would narrow it below the figure.
        if (!figure.UsesSectorAndOwner) { values.Remove("sector"); values.Remove("owner"); }
        values["figure"] = figure.Code;
        if (figure.Reason is { } reason) values["reason"] = reason;
        return "/prospects?" + string.Join("&", values.Where(v => v.Value.Length > 0).Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));
    }

    public string Scope => CovenantCodes.Count == 0
        ? localizer["All covenants"]
        : string.Join(", ", Covenants.Where(c => CovenantCodes.Contains(c.Code)).Select(c => c.Name));

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct, withOnboarding: true);

    /// <summary>One table as CSV for Dutch Excel (see <see cref="ReportTable.ToCsv"/>; cells that would start a formula are escaped).</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? table, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest(string.Join(" ", Errors));
        if (Tables.ByKey(Report!, table) is not { } t) return NotFound();
        // A byte order mark, so that Excel reads the file as UTF-8.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(t.ToCsv())).ToArray();
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(bytes, "text/csv; charset=utf-8", FileName(t.Key, "csv"));
    }

    /// <summary>The whole report as one self-contained HTML file.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest(string.Join(" ", Errors));
        var file = environment.WebRootFileProvider.GetFileInfo("css/reports.css");
        string css;
        await using (var stream = file.CreateReadStream())
        using (var reader = new StreamReader(stream))
            css = await reader.ReadToEndAsync(ct);
        var html = Document.Whole(Report!, Scope, css);
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", FileName("report", "html"));
    }

    /// <summary>The whole report as one .xlsx workbook: a sheet per table, figures as numbers.</summary>
    public async Task<IActionResult> OnGetXlsxAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest(string.Join(" ", Errors));
        var bytes = ReportWorkbook.Write(Tables.All(Report!), localizer["Conversion report"], $"{Format.Date(Report!.Query.From)} – {Format.Date(Report.Query.To)} · {Scope}");
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(bytes, ReportWorkbook.ContentType, FileName("report", "xlsx"));
    }

    private string FileName(string what, string extension) => ReportFileName.For(what, Report!.Query, CovenantCodes, FunnelKind, extension);

    private async Task<bool> LoadAsync(CancellationToken ct, bool withOnboarding = false)
    {
        // Everything below comes from the report cache, under one data stamp read now (see ReportCache).
        var now = await cache.NowAsync(ct);
        var choices = await now.ChoicesAsync(ct);
        (Covenants, Owners, Sectors) = (choices.Covenants, choices.Owners, choices.Sectors);
        Tables.FunnelKind = string.Equals(Funnel?.Trim(), "period", StringComparison.OrdinalIgnoreCase) ? FunnelKind.Period : FunnelKind.Cohort;
        var (query, errors) = ReportFilters.Parse(Covenant, Period, From, To, Sector, PartyKind, Owner, Covenants, reports.Today, ExcludeImported);
        if (query is null)
        {
            Errors = errors.Select(e => localizer.Message(e.Message)).ToList();
            return false;
        }

        Preset = ReportPeriods.TryParse(Period, out var preset) ? preset : ReportPeriod.Custom;
        CovenantCodes = Covenants.Where(c => query.Covenants.Contains(c.Id)).Select(c => c.Code).ToList();
        // The page's onboarding step (a view component, rendered later) is computed beside the report rather than after
        // it: after a change, the first request waits for the longer of the two, not their sum. The component then finds it cached.
        var onboarding = withOnboarding ? now.OnboardingAsync(query, ct).AsTask() : Task.CompletedTask;
        var previous = Compare ? now.ReportAsync(query.Previous(Preset), ct).AsTask() : null;
        Report = await now.ReportAsync(query, ct);
        if (previous is not null) Previous = await previous;
        await onboarding;
        From = Format.Iso(query.From);
        To = Format.Iso(query.To);
        return true;
    }
}
