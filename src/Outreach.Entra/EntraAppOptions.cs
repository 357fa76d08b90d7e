using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;

namespace Outreach.Entra;

/// <summary>How the app proves who it is to Entra ID.</summary>
public enum EntraCredentialType
{
    /// <summary>TenantId, ClientId and ClientSecret: the simplest, and the one an administrator may forbid.</summary>
    ClientSecret,

    /// <summary>TenantId, ClientId and a certificate (a .pfx file, or a thumbprint in the user's or machine's store).</summary>
    Certificate,

    /// <summary>The Azure resource's managed identity (system-assigned, or the user-assigned one named by ManagedIdentityClientId).</summary>
    ManagedIdentity,

    /// <summary>Workload identity federation (Kubernetes/Container Apps): AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE.</summary>
    WorkloadIdentity,
}

/// <summary>
/// The app registration settings every Microsoft cloud adapter binds in its own section (Dataverse:…, Graph:…), so each
/// may use another identity. Secrets (ClientSecret, CertificatePassword) come from environment variables or a key vault.
/// </summary>
public abstract class EntraAppOptions
{
    public EntraCredentialType Credential { get; set; } = EntraCredentialType.ClientSecret;

    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>A .pfx (PKCS#12) file with the certificate and its private key.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Instead of a file: the thumbprint of a certificate in CurrentUser\My or LocalMachine\My.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>A user-assigned managed identity's client id; empty for the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>What is missing or wrong for the chosen <see cref="Credential"/>, in words that name the keys.</summary>
    protected IEnumerable<ValidationResult> CredentialProblems(string section, string who)
    {
        switch (Credential)
        {
            case EntraCredentialType.ClientSecret:
                foreach (var r in Missing(section, who, "with a client secret", (nameof(TenantId), TenantId), (nameof(ClientId), ClientId), (nameof(ClientSecret), ClientSecret)))
                    yield return r;
                break;
            case EntraCredentialType.Certificate:
                foreach (var r in Missing(section, who, "with a certificate", (nameof(TenantId), TenantId), (nameof(ClientId), ClientId)))
                    yield return r;
                if (string.IsNullOrWhiteSpace(CertificatePath) == string.IsNullOrWhiteSpace(CertificateThumbprint))
                    yield return new ValidationResult($"{section}:Credential Certificate needs exactly one of {section}:CertificatePath (a .pfx file) or {section}:CertificateThumbprint (a certificate in the store).", [nameof(CertificatePath)]);
                else if (!string.IsNullOrWhiteSpace(CertificatePath) && !File.Exists(CertificatePath))
                    yield return new ValidationResult($"{section}:CertificatePath '{CertificatePath}' does not exist.", [nameof(CertificatePath)]);
                if (!string.IsNullOrWhiteSpace(ClientSecret))
                    yield return new ValidationResult($"{section}:ClientSecret is set while {section}:Credential is Certificate; remove the secret.", [nameof(ClientSecret)]);
                break;
            case EntraCredentialType.ManagedIdentity:
            case EntraCredentialType.WorkloadIdentity:
                if (!string.IsNullOrWhiteSpace(ClientSecret))
                    yield return new ValidationResult($"{section}:ClientSecret is set while {section}:Credential is {Credential}; remove the secret.", [nameof(ClientSecret)]);
                if (Credential == EntraCredentialType.WorkloadIdentity && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("AZURE_FEDERATED_TOKEN_FILE")))
                    yield return new ValidationResult($"{section}:Credential WorkloadIdentity needs the AZURE_FEDERATED_TOKEN_FILE environment variable (set by the workload identity webhook or Container Apps).", [nameof(Credential)]);
                break;
            default:
                yield return new ValidationResult($"{section}:Credential must be ClientSecret, Certificate, ManagedIdentity or WorkloadIdentity.", [nameof(Credential)]);
                break;
        }
    }

    private static IEnumerable<ValidationResult> Missing(string section, string who, string how, params (string Key, string? Value)[] keys)
    {
        var missing = keys.Where(k => string.IsNullOrWhiteSpace(k.Value)).Select(k => $"{section}:{k.Key}").ToList();
        if (missing.Count > 0)
            yield return new ValidationResult(
                $"{who} needs an Entra ID app registration {how} ({string.Join(", ", keys.Select(k => $"{section}:{k.Key}"))}); missing: {string.Join(", ", missing)}. Without a secret, set {section}:Credential to Certificate, ManagedIdentity or WorkloadIdentity.",
                [keys[^1].Key]);
    }

    /// <summary>The credential the options describe (checked by validation first).</summary>
    public TokenCredential CreateCredential() => Credential switch
    {
        EntraCredentialType.ClientSecret => new ClientSecretCredential(TenantId, ClientId, ClientSecret),
        EntraCredentialType.Certificate => new ClientCertificateCredential(TenantId, ClientId, LoadCertificate()),
        EntraCredentialType.ManagedIdentity => new ManagedIdentityCredential(string.IsNullOrWhiteSpace(ManagedIdentityClientId)
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(ManagedIdentityClientId)),
        EntraCredentialType.WorkloadIdentity => new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions
        {
            // The section's ids win over the webhook's variables when set, so one pod can hold two identities.
            TenantId = string.IsNullOrWhiteSpace(TenantId) ? null : TenantId,
            ClientId = string.IsNullOrWhiteSpace(ClientId) ? null : ClientId,
        }),
        _ => throw new InvalidOperationException($"Unknown credential type {Credential}."),
    };

    /// <summary>The certificate of the Certificate credential (with its private key), from the .pfx file or the store.</summary>
    public X509Certificate2 LoadCertificate()
    {
        if (!string.IsNullOrWhiteSpace(CertificatePath))
            return X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, CertificateThumbprint!.Replace(" ", "", StringComparison.Ordinal), validOnly: false);
            if (found.Count > 0) return found[0];
        }

        throw new InvalidOperationException($"No certificate with thumbprint {CertificateThumbprint} in CurrentUser\\My or LocalMachine\\My.");
    }

    /// <summary>A loopback address (a local test server), for which a static token is accepted.</summary>
    public static bool IsLoopback(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
