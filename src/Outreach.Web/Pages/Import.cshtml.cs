using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Outreach.Web.Pages;

public sealed class ImportModel : PageModel
{
    public void OnGet()
    {
    }
}
