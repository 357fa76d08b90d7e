using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Outreach.Core.Prospects.Import;
using Outreach.Storage.Import;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages;

/// <summary>
/// CSV import of organisations and contacts: check a file first (a report by row number), then import it —
/// all or nothing, or only the valid rows when the person asks for that. Duplicates are reported, never created.
/// </summary>
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class ImportModel(ProspectImport import, CurrentActor actor, IOptions<ImportOptions> options, IStringLocalizer<SharedResource> T) : PageModel
{
    /// <summary>The transport ceiling; the configured Import:MaxFileBytes (smaller) is what people are told.</summary>
    public const long MaxUploadBytes = 512L * 1024 * 1024;
    public const int RowsShown = 300;

    [BindProperty] public IFormFile? Upload { get; set; }
    [BindProperty] public bool ImportValidRowsOnly { get; set; }

    public ImportPlan? Plan { get; private set; }
    public ImportResult? Result { get; private set; }
    public string? Error { get; private set; }
    public long MaxFileBytes => options.Value.MaxFileBytes;

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostCheckAsync(CancellationToken ct) => RunAsync(write: false, ct);

    public Task<IActionResult> OnPostImportAsync(CancellationToken ct) => RunAsync(write: true, ct);

    private async Task<IActionResult> RunAsync(bool write, CancellationToken ct)
    {
        if (Upload is null)
        {
            Error = T["Choose a CSV file first."];
            return Page();
        }

        if (Upload.Length == 0)
        {
            Error = T["The file is empty."];
            return Page();
        }

        if (Upload.Length > options.Value.MaxFileBytes)
        {
            var (size, limit) = Format.FileSizes(Upload.Length, options.Value.MaxFileBytes);
            Error = T["The file is too large ({0}); the limit is {1}.", size, limit];
            return Page();
        }

        await using var stream = Upload.OpenReadStream();
        if (write)
        {
            Result = await import.ImportAsync(stream, ImportValidRowsOnly, actor.Name, progress: null, ct);
            Plan = Result.Plan;
        }
        else
        {
            Plan = await import.PreviewAsync(stream, ct);
        }

        return Page();
    }

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        var buffer = new MemoryStream();
        await import.ExportAsync(buffer, ct);
        buffer.Position = 0;
        Response.NotCached();
        return File(buffer, "text/csv; charset=utf-8", "outreach-organisations.csv");
    }

    public IActionResult OnGetTemplate()
    {
        var header = string.Join(';', ImportColumns.All);
        const string example = "Goudsmederij Voorbeeld B.V.;company;jewellery;NL;12345678;voorbeeld.example;Anne de Vries;gold;identified;Jan Jansen;jan@voorbeeld.example;nl;Director";
        return File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(header + "\r\n" + example + "\r\n")).ToArray(),
            "text/csv; charset=utf-8", "outreach-import-template.csv");
    }
}
