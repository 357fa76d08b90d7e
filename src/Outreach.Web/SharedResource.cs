namespace Outreach.Web;

/// <summary>Marker for the UI's shared strings: Resources/SharedResource.nl.resx holds the Dutch; English is the key itself.</summary>
public sealed class SharedResource;
