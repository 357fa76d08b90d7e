namespace Outreach.Core.Common;

/// <summary>Parses the stable snake_case codes used in storage, the API and CSV files (also accepting labels and enum names).</summary>
public static class Codes
{
    public static bool TryParse<T>(string? value, IEnumerable<T> all, Func<T, string> code, out T result) where T : struct, Enum
    {
        var trimmed = (value ?? "").Trim();
        var normalised = trimmed.ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        foreach (var candidate in all)
        {
            if (code(candidate) == normalised || candidate.ToString().Equals(trimmed, StringComparison.OrdinalIgnoreCase))
            {
                result = candidate;
                return true;
            }
        }

        result = default;
        return false;
    }
}
