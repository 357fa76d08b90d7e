using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Activities;
using Outreach.Core.Pipeline;
using Outreach.Core.Sequences;

namespace Outreach.Web.Pages.Prospects;

/// <summary>
/// A mail of the prospect's timeline as it was sent (the outbox keeps the rendered mail), or an enrolment's next step as it
/// will be sent (rendered now for its contact by the sequence runner, with the template it would choose).
/// </summary>
public sealed class MailModel(IPipelineStore pipeline, ITimelineSource timeline, ISequenceStore sequences, SequenceRunner runner) : PageModel
{
    public ProspectSummary Prospect { get; private set; } = null!;
    public string Subject { get; private set; } = "";
    public string Html { get; private set; } = "";
    public string Text { get; private set; } = "";
    public string To { get; private set; } = "";
    public string? Template { get; private set; }
    public DateTimeOffset? At { get; private set; }
    /// <summary>True for a planned step (not yet sent).</summary>
    public bool Planned { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, long? mailId, long? enrolmentId, CancellationToken ct)
    {
        var summary = await pipeline.GetSummaryAsync(id, ct);
        if (summary is null) return NotFound();
        Prospect = summary;
        if (mailId is { } m)
        {
            var sent = await timeline.GetSentMailAsync(summary.OrganisationId, m, ct);
            if (sent is null) return NotFound();
            (Subject, Html, Text, To, At) = (sent.Subject, sent.Html, sent.Text, sent.ToName, sent.SentAt);
            Template = sent.TemplateKey is null ? null : $"{sent.TemplateKey} v{sent.TemplateVersion}";
            return Page();
        }

        if (enrolmentId is not { } e) return NotFound();
        var enrolment = await sequences.GetEnrolmentAsync(e, ct);
        if (enrolment is null || enrolment.ProspectId != id) return NotFound();
        var draft = await runner.PreviewNextStepAsync(enrolment, ct);
        if (draft is null) return NotFound();
        (Subject, Html, Text, To, At, Planned) = (draft.Subject, draft.HtmlBody, draft.TextBody, draft.ToName, enrolment.NextDue, true);
        Template = $"{draft.TemplateKey} v{draft.TemplateVersion}";
        return Page();
    }
}
