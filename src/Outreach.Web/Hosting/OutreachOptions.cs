namespace Outreach.Web.Hosting;

/// <summary>Configuration section "Outreach": product-level settings of the host.</summary>
public sealed class OutreachOptions
{
    public const string Section = "Outreach";

    /// <summary>Fill an empty database with the synthetic demo data set on start (the embedded default; off for a real tenant).</summary>
    public bool SeedDemoDataOnFirstStart { get; set; } = true;

    /// <summary>Who is recorded as making a change when nobody is signed in (sign-in comes with its own issue).</summary>
    public string DefaultActor { get; set; } = "secretariat";

    /// <summary>
    /// The address people reach Outreach at, for links in mail (unsubscribe, event answers); e.g. https://outreach.secretariaat.nl.
    /// Unset: the host's own listen address, which only a local trial (Development, pickup folder) may use; anything that sends
    /// real mail refuses to start without an https value (<see cref="PublicBaseUrlValidation"/>). Read it through <see cref="PublicAddress"/>.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>"My day" lists a prospect as stalled when it has been in an open stage longer than this many days.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3650)]
    public int StalledAfterDays { get; set; } = 30;
}
