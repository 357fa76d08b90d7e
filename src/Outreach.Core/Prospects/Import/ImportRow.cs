using Outreach.Core.Common;

namespace Outreach.Core.Prospects.Import;

/// <summary>One data row of an import file, as read.</summary>
/// <param name="RowNumber">The row number a spreadsheet shows: the header is row 1, the first data row is row 2.</param>
/// <param name="Values">The raw cell values, in header order.</param>
/// <param name="Problem">Set by the reader when the row itself could not be read cleanly (bad quoting); the row is then invalid.</param>
public sealed record ImportRow(int RowNumber, IReadOnlyList<string> Values, DomainMessage? Problem = null);
