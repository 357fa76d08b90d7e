using System.Globalization;

namespace Outreach.Core.Common;

/// <summary>
/// A message for a person, kept as an English composite-format template plus its arguments,
/// so the web layer can translate the template (the resource key) and fill in the arguments.
/// Equal when template and arguments are equal (a record alone would compare the argument arrays by reference).
/// </summary>
public sealed record DomainMessage(string Template, params string[] Args)
{
    public bool Equals(DomainMessage? other) =>
        other is not null && Template == other.Template && Args.AsSpan().SequenceEqual(other.Args);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Template);
        foreach (var arg in Args) hash.Add(arg);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        Args.Length == 0 ? Template : string.Format(CultureInfo.InvariantCulture, Template, Args);
}

/// <summary>A validation problem with one input field.</summary>
public sealed record FieldError(string Field, DomainMessage Message)
{
    public FieldError(string field, string template, params string[] args)
        : this(field, new DomainMessage(template, args)) { }

    public override string ToString() => $"{Field}: {Message}";
}
