using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Core.Reports;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>The annual monitoring report of a covenant: every milestone as "N of M" with the parties behind it, the sentence, and a CSV.</summary>
public sealed class MonitoringModel(MonitoringReports reports, IProspectStore prospects, IStringLocalizer<SharedResource> T, IWebHostEnvironment environment) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Covenant { get; set; }
    [BindProperty(SupportsGet = true)] public string? Year { get; set; }

    public IReadOnlyList<Covenant> Covenants { get; private set; } = [];
    public MonitoringReport? Report { get; private set; }
    public List<string> Errors { get; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>The figures as CSV: one line per milestone, with the parties behind each figure.</summary>
    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct) || Report is null) return BadRequest(string.Join(" ", Errors));
        var language = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;
        var csv = CsvTable.Write(
            [T["Milestone"], T["Done"], T["Of"], T["Done last year"], T["Of last year"], T["Change"], T["Done by"], T["Not done by"]],
            Report.Milestones.Select(m => (IReadOnlyList<string>)
            [
                language == "nl" ? m.NameNl : m.NameEn, Number(m.Done), Number(m.Of), Number(m.PreviousDone), Number(m.PreviousOf), Number(m.Change),
                string.Join(", ", m.DoneBy.Select(p => p.Name)), string.Join(", ", m.NotDone.Select(p => p.Name)),
            ]));
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
        return File(bytes, "text/csv; charset=utf-8", $"monitoring-{Report.Covenant}-year-{Number(Report.Year)}.csv");
    }

    /// <summary>The report as one self-contained HTML file (its stylesheet inside), to forward to the steering group.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct) || Report is null) return BadRequest(string.Join(" ", Errors));
        string css;
        await using (var stream = environment.WebRootFileProvider.GetFileInfo("css/reports.css").CreateReadStream())
        using (var reader = new StreamReader(stream))
            css = await reader.ReadToEndAsync(ct);
        var name = Covenants.First(c => string.Equals(c.Code, Report.Covenant, StringComparison.OrdinalIgnoreCase)).Name;
        var html = Outreach.Web.Reports.MonitoringDocument.Whole(Report, name, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "nl", T, css);
        Hosting.PersonalDataDownloads.NotCached(Response);
        return File(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", $"monitoring-{Report.Covenant}-year-{Number(Report.Year)}.html");
    }

    private static string Number(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "";

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Covenants = await prospects.ListCovenantsAsync(ct);
        Covenant ??= Covenants.Count > 0 ? Covenants[0].Code : null;
        if (Covenant is null) return false;
        var (report, errors) = await reports.BuildAsync(Covenant, Year, ct);
        Report = report;
        Errors.AddRange(errors.Select(e => T.Message(e.Message)));
        return report is not null;
    }
}
