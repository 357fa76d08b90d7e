using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Onboarding;
using Outreach.Core.Prospects;
using Outreach.Web.Hosting;

namespace Outreach.Web.Pages.Onboarding;

/// <summary>
/// The monitoring questionnaire's answers as a CSV (party, year, milestone, done on, evidence) for one covenant: every row is
/// checked first, and one bad row records nothing; the problems are listed by row number.
/// </summary>
[RequestSizeLimit(MaxRequestBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class ImportModel(IProspectStore prospects, QuestionnaireImport import, CurrentActor actor) : PageModel
{
    /// <summary>The file limit (a questionnaire of ten thousand rows is far smaller) plus room for the form.</summary>
    public const long MaxFileBytes = 5L * 1024 * 1024;
    private const long MaxRequestBytes = MaxFileBytes + 64 * 1024;

    public Covenant Covenant { get; private set; } = null!;
    public QuestionnaireImportResult? Result { get; private set; }

    [BindProperty] public IFormFile? Upload { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Upload is not { Length: > 0 } upload)
        {
            Result = new QuestionnaireImportResult(0, 0, [new QuestionnaireRowError(0, new Core.Common.DomainMessage("Choose a CSV file."))]);
            return Page();
        }

        // The transport lets a little more through (room for the form): the file itself is refused with its limit.
        if (upload.Length > MaxFileBytes)
        {
            Result = new QuestionnaireImportResult(0, 0, [new QuestionnaireRowError(0, new Core.Common.DomainMessage("The file is too large; the limit is {0} MB.", (MaxFileBytes / 1_048_576).ToString(System.Globalization.CultureInfo.InvariantCulture)))]);
            return Page();
        }

        await using var stream = upload.OpenReadStream();
        Result = await import.ImportAsync(id, stream, actor.Name, ct);
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        var covenant = (await prospects.ListCovenantsAsync(ct)).FirstOrDefault(c => c.Id == id);
        if (covenant is null) return false;
        Covenant = covenant;
        return true;
    }
}
