namespace Outreach.Core.Common;

/// <summary>
/// The codes an enum is stored under, written out member by member: renaming a member never changes stored data, and
/// a member added without a code fails when the table is built (and in its test), not when a row is read back.
/// </summary>
public sealed class CodeTable<T> where T : struct, Enum
{
    private readonly Dictionary<T, string> codes;
    private readonly Dictionary<string, T> members;

    public CodeTable(IReadOnlyDictionary<T, string> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        codes = new Dictionary<T, string>(table);
        members = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var member in Enum.GetValues<T>())
        {
            if (!codes.TryGetValue(member, out var code) || string.IsNullOrWhiteSpace(code))
                throw new InvalidOperationException($"{typeof(T).Name}.{member} has no stored code.");
            if (!members.TryAdd(code, member))
                throw new InvalidOperationException($"{typeof(T).Name}: the code '{code}' is given twice.");
        }
    }

    /// <summary>Every member, in declaration order.</summary>
    public IReadOnlyList<T> Members { get; } = Enum.GetValues<T>();

    public string Code(T member) =>
        codes.TryGetValue(member, out var code) ? code : throw new ArgumentOutOfRangeException(nameof(member), member, $"Not a {typeof(T).Name}.");

    /// <summary>The member stored as <paramref name="code"/> (exactly as written: codes are compared ordinally).</summary>
    public T Parse(string code) =>
        TryParse(code, out var member) ? member : throw new FormatException($"Unknown {typeof(T).Name} code '{code}'.");

    public bool TryParse(string? code, out T member) => members.TryGetValue(code ?? "", out member);
}
