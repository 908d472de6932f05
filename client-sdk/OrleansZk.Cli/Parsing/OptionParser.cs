namespace OrleansZk.Cli.Parsing;

/// <summary>
/// A command's options: single letters, each a flag or taking one value, with the description
/// <c>ls -?</c> prints.
/// </summary>
internal sealed class OptionSpec
{
    private readonly SortedDictionary<char, (bool TakesValue, string Description)> _options = new(new HelpOrder());

    public OptionSpec Flag(char name, string description)
    {
        _options.Add(name, (false, description));
        return this;
    }

    public OptionSpec Value(char name, string description)
    {
        _options.Add(name, (true, description));
        return this;
    }

    public bool Has(char name) => _options.ContainsKey(name);

    public bool TakesValue(char name) => _options[name].TakesValue;

    /// <summary>commons-cli's HelpFormatter layout, which <c>ls -?</c> prints (one option per line, sorted ignoring case).</summary>
    public IEnumerable<string> HelpLines() => _options.Select(o => $" -{o.Key}   {o.Value.Description}");

    private sealed class HelpOrder : IComparer<char>
    {
        public int Compare(char x, char y)
        {
            var c = char.ToLowerInvariant(x).CompareTo(char.ToLowerInvariant(y));
            return c != 0 ? c : x.CompareTo(y);
        }
    }
}

/// <summary>The outcome of parsing a command's words: its options (first value of each) and its other words, the command name first.</summary>
internal sealed class ParsedArgs(Dictionary<char, string?> options, List<string> args)
{
    /// <summary>The words that are not options, with the command name at index 0 (zkCli's <c>cl.getArgs()</c>).</summary>
    public IReadOnlyList<string> Args => args;

    public bool Has(char option) => options.ContainsKey(option);

    /// <summary>The option's value, or null when the option was not given.</summary>
    public string? Value(char option) => options.GetValueOrDefault(option);
}

/// <summary>
/// Parses a command's words as zkCli does, with Apache commons-cli 1.5's <c>DefaultParser</c> over
/// short options only: flags may be bundled (<c>-sR</c>), a value may follow its letter
/// (<c>-v1</c>, <c>-v=1</c>) or come as the next word unless that word is an option itself,
/// <c>--</c> ends the options, and a lone <c>-</c> is a word. Anything else starting with <c>-</c> is
/// refused with commons-cli's message, which zkCli prints with the exception's class name.
/// </summary>
internal static class OptionParser
{
    public static ParsedArgs Parse(OptionSpec spec, IReadOnlyList<string> words) => new Run(spec).Parse(words);

    private sealed class Run(OptionSpec spec)
    {
        private readonly Dictionary<char, string?> _options = [];
        private readonly List<string> _args = [];
        private char? _awaitingValue;
        private bool _onlyArgs;

        public ParsedArgs Parse(IReadOnlyList<string> words)
        {
            foreach (var word in words) Handle(word);
            CheckValueGiven();
            return new ParsedArgs(_options, _args);
        }

        private void Handle(string word)
        {
            if (_onlyArgs)
                _args.Add(word);
            else if (word == "--")
                _onlyArgs = true;
            else if (_awaitingValue is { } option && !IsOption(word))
                SetValue(option, StripQuotes(word));
            else if (word.StartsWith('-') && word != "-")
                HandleOptionWord(word);
            else
                _args.Add(word);
        }

        private void HandleOptionWord(string word)
        {
            // No long options are defined, so "--x" and "-ab=c" can only be refused.
            if (word.StartsWith("--", StringComparison.Ordinal)) throw Unrecognized(word);
            var body = word[1..];
            var eq = body.IndexOf('=');
            if (body.Length == 1)
            {
                if (!spec.Has(body[0])) throw Unrecognized(word);
                Start(body[0]);
            }
            else if (eq == 1)
            {
                // -v=1: only an option that takes a value; the value is kept as written.
                if (!spec.Has(body[0]) || !spec.TakesValue(body[0])) throw Unrecognized(word);
                Start(body[0]);
                SetValue(body[0], body[2..]);
            }
            else if (eq > 1)
                throw Unrecognized(word);
            else
                HandleBundle(word);
        }

        /// <summary>-sR: flags in a row; the first letter that takes a value takes the rest of the word, if any.</summary>
        private void HandleBundle(string word)
        {
            for (var i = 1; i < word.Length; i++)
            {
                if (!spec.Has(word[i])) throw Unrecognized(word);
                Start(word[i]);
                if (_awaitingValue != null && i + 1 < word.Length)
                {
                    SetValue(word[i], word[(i + 1)..]);
                    return;
                }
            }
        }

        private void Start(char option)
        {
            CheckValueGiven();
            // A repeated option keeps its first value, as commons-cli's getOptionValue.
            if (!_options.ContainsKey(option)) _options[option] = null;
            _awaitingValue = spec.TakesValue(option) ? option : null;
        }

        private void SetValue(char option, string value)
        {
            _options[option] ??= value;
            _awaitingValue = null;
        }

        private void CheckValueGiven()
        {
            if (_awaitingValue is { } option)
                throw new CliException("org.apache.commons.cli.MissingArgumentException: Missing argument for option: " + option);
        }

        // commons-cli also takes a negative number as a value; with letter options no word is
        // both a number and an option, so that case never arises here.
        private bool IsOption(string word) => word.Length > 1 && word[0] == '-' && spec.Has(word[1]);

        private static CliException Unrecognized(string word) =>
            new("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: " + word);

        /// <summary>commons-cli strips one pair of double quotes around a value given as its own word, if no other double quote is inside.</summary>
        private static string StripQuotes(string word) =>
            word.Length > 1 && word[0] == '"' && word[^1] == '"' && !word[1..^1].Contains('"') ? word[1..^1] : word;
    }
}
