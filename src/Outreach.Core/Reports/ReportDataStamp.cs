namespace Outreach.Core.Reports;

/// <summary>
/// A number that changes whenever anything the conversion report (or its onboarding step) reads changes: a stage
/// change, an import, an organisation, covenant, event, attendance or milestone edit. The report cache keys by it, so a
/// cached report is never older than the data: the next request after a change computes afresh. Cheap: one row.
/// </summary>
public interface IReportDataStamp
{
    Task<long> ReadAsync(CancellationToken ct);
}
