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
/// table as CSV and the whole report as one HTML file. Read-only, so every signed-in role may open it.
/// </summary>
[Authorize(Policy = Policies.Read)]
public sealed class IndexModel(ConversionReports reports, IProspectStore prospects, IStringLocalizer<SharedResource> localizer, IWebHostEnvironment environment) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Covenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sector { get; set; }
    [BindProperty(SupportsGet = true)] public string? PartyKind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Owner { get; set; }
    /// <summary>Leave out prospects whose history was imported (see ReportQuery.ExcludeImported).</summary>
    [BindProperty(SupportsGet = true)] public bool ExcludeImported { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public IReadOnlyList<string> Owners { get; private set; } = [];
    public IReadOnlyList<string> Sectors { get; private set; } = [];
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public ConversionReport? Report { get; private set; }
    public ReportTables Tables { get; } = new(localizer);
    public ReportDocument Document => new(localizer, Tables, new ReportCharts(localizer, Tables));

    /// <summary>The current filters as query-string values, for the CSV and download links.</summary>
    public Dictionary<string, string> RouteValues() => new()
    {
        ["covenant"] = Covenant ?? "", ["from"] = Format.Iso(Report?.Query.From), ["to"] = Format.Iso(Report?.Query.To),
        ["sector"] = Sector ?? "", ["partyKind"] = PartyKind ?? "", ["owner"] = Owner ?? "",
        ["excludeImported"] = ExcludeImported ? "true" : "",
    };

    public string Scope => Covenants.FirstOrDefault(c => c.Code.Equals(Covenant, StringComparison.OrdinalIgnoreCase))?.Name ?? localizer["All covenants"];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>One table as CSV (cells that would start a formula are escaped).</summary>
    public async Task<IActionResult> OnGetCsvAsync(string? table, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return BadRequest(string.Join(" ", Errors));
        if (Tables.ByKey(Report!, table) is not { } t) return NotFound();
        // A byte order mark, so that Excel reads the file as UTF-8.
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(t.ToCsv())).ToArray();
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(bytes, "text/csv; charset=utf-8", $"conversion-{t.Key}-{Format.Iso(Report!.Query.From)}-{Format.Iso(Report.Query.To)}.csv");
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
        return File(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", $"conversion-report-{Format.Iso(Report!.Query.From)}-{Format.Iso(Report.Query.To)}.html");
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        Owners = await prospects.ListOwnersAsync(ct);
        Sectors = await prospects.ListSectorsAsync(ct);
        var (query, errors) = ReportFilters.Parse(Covenant, From, To, Sector, PartyKind, Owner, Covenants, reports.Today, ExcludeImported);
        if (query is null)
        {
            Errors = errors.Select(e => localizer.Message(e.Message)).ToList();
            return false;
        }

        Report = await reports.BuildAsync(query, ct);
        From = Format.Iso(query.From);
        To = Format.Iso(query.To);
        return true;
    }
}
