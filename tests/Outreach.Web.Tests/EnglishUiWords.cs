using System.Text.RegularExpressions;

namespace Outreach.Web.Tests;

/// <summary>
/// English words of the UI that are not also Dutch (so "Status", "Sector", "Outbox", "Mail", "Website" and "Onboarding" are
/// not here), nor common in the demo data's English notes and names ("New Darwin Devices", "Call back about…", "Sent the…").
/// Shared by the server-side check (<c>DutchUiTests</c>) and the browser's, which also sees text written by script.
/// </summary>
public static class EnglishUiWords
{
    public static readonly string[] All =
    [
        "Save", "Edit", "Cancel", "Search", "Choose", "Delete", "Add", "Due", "Running", "Succeeded", "Failed", "Skipped", "Pending",
        "Subject", "Purpose", "Attempts", "Owner", "Organisation", "Reason", "When", "Who", "Next", "Show", "Back", "Download", "Apply", "Total",
        "Stage", "Contacts", "Events", "Reports", "Jobs", "Templates", "Sequences", "Covenants", "Schedule", "Outcome", "never", "every",
        "minutes", "hours", "days", "overdue", "Sign out", "Pipeline", "Milestones", "Language", "Answer", "Accepted", "Tentative", "Anyone",
        "Any", "All", "From", "To", "Move", "Log", "Note", "Meeting", "Period", "Compare", "Funnel", "Signed", "Identified",
        "Contacted", "Engaged", "Declined", "Not now", "Left", "Name", "Email", "Role", "Phone", "Country", "Where",
    ];

    /// <summary>Each English word found in <paramref name="text"/> (as a whole word), with a little of the text around it.</summary>
    public static IEnumerable<string> Find(string text)
    {
        foreach (var word in All)
        {
            foreach (Match m in Regex.Matches(text, $"(?<![\\p{{L}}-]){Regex.Escape(word)}(?![\\p{{L}}-])"))
            {
                var from = Math.Max(0, m.Index - 40);
                yield return $"'{word}' in …{Regex.Replace(text.Substring(from, Math.Min(text.Length - from, 90)), "\\s+", " ")}…";
            }
        }
    }
}
