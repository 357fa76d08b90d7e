using System.Security.Cryptography;
using System.Text;

namespace Outreach.Core.Crm;

/// <summary>
/// Ids Outreach writes to the CRM under: derived from a key, so a resend writes the same row again (upsert) instead of a
/// second one, and a row read back from the CRM is recognised as Outreach's own.
/// </summary>
public static class CrmIds
{
    /// <summary>A stable id from the key (name-based, like a version-5 UUID but with SHA-256).</summary>
    public static Guid Keyed(string key, string purpose)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"outreach:{purpose}:{key}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>The Dynamics id of an activity logged in Outreach (phone call, appointment or note; the kind never changes).</summary>
    public static Guid Activity(long activityId) => Keyed($"activity:{activityId.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "activity");

    /// <summary>The Dynamics id of a party's onboarding milestone (otr_onboardingmilestone): one row per milestone, whatever changes.</summary>
    public static Guid Milestone(long milestoneId) => Keyed($"milestone:{milestoneId.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "onboardingmilestone");
}
