namespace Outreach.Web.Hosting;

/// <summary>Downloads that hold personal data (a contact's export, the organisations export, reports).</summary>
public static class PersonalDataDownloads
{
    /// <summary>No copy is kept in the browser's cache or a proxy's: a shared computer or a caching proxy would keep the data.</summary>
    public static void NotCached(this HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
