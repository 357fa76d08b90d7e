using System.Data.Common;
using Outreach.Core.Prospects.Import;

namespace Outreach.Storage.Import;

/// <summary>Writes an import plan in bulk, the engine's fastest way (<see cref="SqlDialect.ImportWriter"/>), in the caller's transaction.</summary>
internal interface IImportWriter
{
    /// <summary>Returns the ids of the created pipeline entries, in the plan's order (organisation by organisation, its entries in order).</summary>
    Task<IReadOnlyList<long>> WriteAsync(DbConnection c, DbTransaction tx, ImportPlan plan, DateTimeOffset now, string by, SqlProspectImporter.WriteCounter counter, CancellationToken ct);
}
