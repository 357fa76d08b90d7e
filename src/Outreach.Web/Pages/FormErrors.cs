namespace Outreach.Web.Pages;

/// <summary>
/// The errors of one form on a page with several (the prospect page's move, next-action and enrol panels): only the given
/// fields' messages, and nothing at all when there are none, so a panel never shows another form's error or an empty list.
/// </summary>
public sealed record FormErrors(string TestId, params string[] Keys);
