using System.Net;

namespace Outreach.Dataverse;

/// <summary>A Dataverse request that failed: which request, the HTTP status and the service's own error code and message.</summary>
public class DataverseException : Exception
{
    public DataverseException(string method, string requestPath, HttpStatusCode status, string? code, string serviceMessage)
        : base($"Dataverse {method} {requestPath} failed: {(int)status} {status}{(string.IsNullOrEmpty(code) ? "" : $" ({code})")}: {serviceMessage}")
    {
        Method = method;
        RequestPath = requestPath;
        StatusCode = status;
        Code = code;
        ServiceMessage = serviceMessage;
    }

    public DataverseException() { }
    public DataverseException(string message) : base(message) { }
    public DataverseException(string message, Exception inner) : base(message, inner) { }

    public string Method { get; } = "";
    public string RequestPath { get; } = "";
    public HttpStatusCode StatusCode { get; }
    /// <summary>The hex error code, e.g. 0x80044352; may be empty (Dataverse sends "" for some 404/412).</summary>
    public string? Code { get; }
    public string ServiceMessage { get; } = "";
}

/// <summary>
/// The delta token is older than the organisation keeps change history (ExpireChangeTrackingInDays, 7 by default):
/// the service asks for a full sync (error 0x80044352 ExpiredVersionStamp).
/// </summary>
public sealed class DataverseDeltaExpiredException : DataverseException
{
    public const string ErrorCode = "0x80044352";

    public DataverseDeltaExpiredException(string method, string requestPath, HttpStatusCode status, string? code, string serviceMessage)
        : base(method, requestPath, status, code, serviceMessage) { }

    public DataverseDeltaExpiredException() { }
    public DataverseDeltaExpiredException(string message) : base(message) { }
    public DataverseDeltaExpiredException(string message, Exception inner) : base(message, inner) { }
}
