using System.Reflection;
using Microsoft.Extensions.Configuration;
using OrleansZk.Grains;

namespace OrleansZk.Silo;

/// <summary>
/// Reads the <c>OrleansZk</c> section into <see cref="ZkServiceOptions"/> and reports every problem
/// at once, one line each, each naming its key: keys that are not settings (a typo must not
/// silently leave a default in force), values that do not convert to the setting's type, and the
/// rules of <see cref="ZkServiceOptions.Validate"/>; and log levels under <c>Logging</c>.
/// </summary>
internal static class SettingsReader
{
    private static readonly PropertyInfo[] Settings = SettingsOf(typeof(ZkServiceOptions));

    /// <summary>The bound settings, or null with the problems when there are any.</summary>
    public static (ZkServiceOptions? Options, IReadOnlyList<string> Errors) Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(ZkServiceOptions.SectionName);
        var errors = new List<string>();
        var unbindable = false;
        foreach (var child in section.GetChildren())
            unbindable |= Check(child, Settings, ZkServiceOptions.SectionName, errors);
        errors.AddRange(LogLevelErrors(configuration.GetSection("Logging")));
        // Unknown keys do not stop the binder, so the rules are checked (and reported) too.
        if (unbindable) return (null, errors);
        var options = new ZkServiceOptions();
        section.Bind(options);
        errors.AddRange(options.Validate());
        return errors.Count > 0 ? (null, errors) : (options, errors);
    }

    /// <summary>
    /// Checks one configured key against the settings of its section (<paramref name="prefix"/>, e.g.
    /// <c>OrleansZk</c> or <c>OrleansZk:Database</c>), recursing into nested sections; returns
    /// whether its value would stop the binder.
    /// </summary>
    private static bool Check(IConfigurationSection child, PropertyInfo[] settings, string prefix, List<string> errors)
    {
        var setting = settings.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
        if (setting is null)
        {
            errors.Add($"{prefix}:{child.Key} is not a setting{Suggest(child.Key, settings, prefix)}");
            return false;
        }
        var key = $"{prefix}:{setting.Name}";
        if (IsSection(setting.PropertyType))
        {
            var nested = SettingsOf(setting.PropertyType);
            // A value given to the section's own key (--OrleansZk:Database=x) would be ignored.
            if (!string.IsNullOrEmpty(child.Value))
            {
                errors.Add($"{key} must be a section ({string.Join(", ", nested.Select(p => $"{key}:{p.Name}"))}), not a single value");
                return true;
            }
            var unbindable = false;
            foreach (var grandchild in child.GetChildren())
                unbindable |= Check(grandchild, nested, key, errors);
            return unbindable;
        }
        if (child.Value is null || child.GetChildren().Any())
        {
            errors.Add($"{key} must be a single value, not a section");
            return true;
        }
        if (!Converts(child.Value, setting.PropertyType))
        {
            errors.Add($"{key} must be {Describe(setting.PropertyType)}, not '{child.Value}'");
            return true;
        }
        return false;
    }

    private static PropertyInfo[] SettingsOf(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
        .ToArray();

    // A nested options class (OrleansZk:Database), bound from a section of its own.
    private static bool IsSection(Type type) => type.IsClass && type != typeof(string);

    // Logging:LogLevel:<category> and Logging:<provider>:LogLevel:<category>, which the logging
    // library would otherwise reject with an unhandled exception once the host starts.
    private static IEnumerable<string> LogLevelErrors(IConfigurationSection logging) =>
        logging.AsEnumerable()
            .Where(kv => kv.Value is not null && kv.Key.Split(':') is { Length: >= 3 } parts && parts[^2].Equals("LogLevel", StringComparison.OrdinalIgnoreCase))
            .Where(kv => kv.Value != "" && !Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(kv.Value, ignoreCase: true, out _))
            .Select(kv => $"{kv.Key} must be one of {string.Join(", ", Enum.GetNames<Microsoft.Extensions.Logging.LogLevel>())}, not '{kv.Value}'");

    // The binder converts with the type's TypeConverter in the invariant culture; so do we, to
    // name the key instead of surfacing the binder's InvalidOperationException. Enums take their
    // names only (the converter would also take numbers that name no value).
    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string)) return true;
        if (type.IsEnum) return Enum.GetNames(type).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
        try
        {
            System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type.IsEnum => string.Join(" or ", Enum.GetNames(type)),
        _ => $"a {type.Name}",
    };

    private static string Suggest(string key, PropertyInfo[] settings, string prefix)
    {
        var best = settings
            .Select(p => (p.Name, Distance: Levenshtein(key.ToLowerInvariant(), p.Name.ToLowerInvariant())))
            .MinBy(c => c.Distance);
        return best.Distance <= Math.Max(2, key.Length / 4)
            ? $" (did you mean {prefix}:{best.Name}?)"
            : $"; the settings are {string.Join(", ", settings.Select(p => p.Name))}";
    }

    private static int Levenshtein(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
