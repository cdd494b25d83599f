package io.lbmanager.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads one rendered Nginx file into its directives the way Nginx's own reader does
 * ({@code ngx_conf_read_token}): words split by white space, {@code ;} {@code {} {@code }},
 * double- and single-quoted words, backslash escapes, {@code #} comments only at the start of a
 * word, {@code ${...}} inside a word, and the bodies of {@code *_by_lua_block} directives read as
 * Lua (strings, long brackets and comments) up to their closing brace, as ngx_lua reads them.
 * So a directive name built from quotes ({@code "include"}) or split over lines is seen as Nginx
 * sees it. Text Nginx would refuse to read is refused too, with its line.
 */
public final class NginxConfParser {

    /**
     * One directive, with the names of the blocks around it (outermost first). {@code luaBlock} is
     * the raw body of a {@code *_by_lua_block}, else null; other blocks' contents are directives of
     * their own.
     */
    public record Directive(String name, List<String> args, int line, List<String> enclosing, String luaBlock) {
        public Directive {
            args = List.copyOf(args);
            enclosing = List.copyOf(enclosing);
        }

        /** Name, arguments and Lua body: what makes two directives do the same, wherever they are. */
        public boolean sameAs(Directive other) {
            return name.equals(other.name) && args.equals(other.args) && Objects.equals(luaBlock, other.luaBlock);
        }
    }

    /** Text Nginx would not read, with the line where reading stopped. */
    public static final class SyntaxException extends Exception {
        private final int line;

        SyntaxException(int line, String message) {
            super(message, null, false, false);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private enum End { SEMICOLON, BLOCK_START, BLOCK_DONE, FILE_END }

    private final String text;
    private int pos;
    private int line = 1;
    private int wordsLine;
    private final List<String> words = new ArrayList<>();
    private final List<Directive> directives = new ArrayList<>();

    private NginxConfParser(String text) {
        this.text = text;
    }

    public static List<Directive> parse(String text) throws SyntaxException {
        NginxConfParser parser = new NginxConfParser(text);
        parser.block(new ArrayList<>());
        return parser.directives;
    }

    private void block(List<String> enclosing) throws SyntaxException {
        while (true) {
            End end = statement();
            switch (end) {
                case FILE_END -> {
                    if (!enclosing.isEmpty()) {
                        throw new SyntaxException(line, "unexpected end of file, expecting \"}\"");
                    }
                    return;
                }
                case BLOCK_DONE -> {
                    if (enclosing.isEmpty()) {
                        throw new SyntaxException(line, "unexpected \"}\"");
                    }
                    return;
                }
                case SEMICOLON -> directives.add(new Directive(words.get(0), words.subList(1, words.size()), wordsLine, enclosing, null));
                case BLOCK_START -> {
                    String name = words.get(0);
                    List<String> args = List.copyOf(words.subList(1, words.size()));
                    int at = wordsLine;
                    if (name.endsWith("_by_lua_block")) {
                        directives.add(new Directive(name, args, at, enclosing, luaBody()));
                    } else {
                        directives.add(new Directive(name, args, at, enclosing, null));
                        List<String> inner = new ArrayList<>(enclosing);
                        inner.add(name);
                        block(inner);
                    }
                }
            }
        }
    }

    /** The words of the next directive, and what ended it. */
    private End statement() throws SyntaxException {
        words.clear();
        boolean needSpace = false;
        boolean lastSpace = true;
        boolean comment = false;
        boolean variable = false;
        boolean escaped = false;
        boolean doubleQuoted = false;
        boolean singleQuoted = false;
        int start = pos;
        while (true) {
            if (pos >= text.length()) {
                if (!words.isEmpty() || !lastSpace) {
                    throw new SyntaxException(line, "unexpected end of file, expecting \";\" or \"}\"");
                }
                return End.FILE_END;
            }
            char ch = text.charAt(pos++);
            if (ch == '\n') {
                line++;
                comment = false;
            }
            if (comment) {
                continue;
            }
            if (escaped) {
                escaped = false;
                continue;
            }
            if (needSpace) {
                if (isSpace(ch)) {
                    lastSpace = true;
                    needSpace = false;
                    continue;
                }
                if (ch == ';') {
                    return End.SEMICOLON;
                }
                if (ch == '{') {
                    return End.BLOCK_START;
                }
                if (ch == ')') {
                    lastSpace = true;
                    needSpace = false;
                } else {
                    throw new SyntaxException(line, "unexpected \"" + ch + "\"");
                }
            }
            if (lastSpace) {
                start = pos - 1;
                if (isSpace(ch)) {
                    continue;
                }
                if (words.isEmpty()) {
                    wordsLine = line;
                }
                switch (ch) {
                    case ';', '{' -> {
                        if (words.isEmpty()) {
                            throw new SyntaxException(line, "unexpected \"" + ch + "\"");
                        }
                        return ch == ';' ? End.SEMICOLON : End.BLOCK_START;
                    }
                    case '}' -> {
                        if (!words.isEmpty()) {
                            throw new SyntaxException(line, "unexpected \"}\"");
                        }
                        return End.BLOCK_DONE;
                    }
                    case '#' -> comment = true;
                    case '\\' -> {
                        escaped = true;
                        lastSpace = false;
                    }
                    case '"' -> {
                        start++;
                        doubleQuoted = true;
                        lastSpace = false;
                    }
                    case '\'' -> {
                        start++;
                        singleQuoted = true;
                        lastSpace = false;
                    }
                    case '$' -> {
                        variable = true;
                        lastSpace = false;
                    }
                    default -> lastSpace = false;
                }
                continue;
            }
            if (ch == '{' && variable) {
                continue;
            }
            variable = false;
            if (ch == '\\') {
                escaped = true;
                continue;
            }
            if (ch == '$') {
                variable = true;
                continue;
            }
            boolean found = false;
            if (doubleQuoted) {
                if (ch == '"') {
                    doubleQuoted = false;
                    needSpace = true;
                    found = true;
                }
            } else if (singleQuoted) {
                if (ch == '\'') {
                    singleQuoted = false;
                    needSpace = true;
                    found = true;
                }
            } else if (isSpace(ch) || ch == ';' || ch == '{') {
                lastSpace = true;
                found = true;
            }
            if (found) {
                words.add(unescaped(start, pos - 1));
                if (ch == ';') {
                    return End.SEMICOLON;
                }
                if (ch == '{') {
                    return End.BLOCK_START;
                }
            }
        }
    }

    /** A word as Nginx keeps it: {@code \"}, {@code \'} and {@code \\} lose the backslash, {@code \t \r \n} become the character. */
    private String unescaped(int from, int to) {
        StringBuilder word = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            char ch = text.charAt(i);
            if (ch == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                switch (next) {
                    case '"', '\'', '\\' -> {
                        i++;
                        ch = next;
                    }
                    case 't', 'r', 'n' -> {
                        word.append(next == 't' ? '\t' : next == 'r' ? '\r' : '\n');
                        i += 2;
                        continue;
                    }
                    default -> {
                        // the backslash stays
                    }
                }
            }
            word.append(ch);
            i++;
        }
        return word.toString();
    }

    /** The raw Lua between the opening brace (already read) and its closing brace, which is consumed. */
    private String luaBody() throws SyntaxException {
        int begin = pos;
        int depth = 0;
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == '-' && text.startsWith("--", pos)) {
                pos += 2;
                int level = longBracketLevel();
                if (level >= 0) {
                    skipLongBracket(level);
                } else {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                }
                continue;
            }
            if (ch == '[') {
                int level = longBracketLevel();
                if (level >= 0) {
                    skipLongBracket(level);
                    continue;
                }
            }
            pos++;
            switch (ch) {
                case '\n' -> line++;
                case '"', '\'' -> skipLuaString(ch);
                case '{' -> depth++;
                case '}' -> {
                    if (depth == 0) {
                        return text.substring(begin, pos - 1);
                    }
                    depth--;
                }
                default -> {
                    // code
                }
            }
        }
        throw new SyntaxException(line, "unexpected end of file in a Lua block, expecting \"}\"");
    }

    /** At {@code [}: the level of a long bracket {@code [==[} starting here (its opening consumed), else -1 (nothing consumed). */
    private int longBracketLevel() {
        if (pos >= text.length() || text.charAt(pos) != '[') {
            return -1;
        }
        int i = pos + 1;
        while (i < text.length() && text.charAt(i) == '=') {
            i++;
        }
        if (i < text.length() && text.charAt(i) == '[') {
            int level = i - pos - 1;
            pos = i + 1;
            return level;
        }
        return -1;
    }

    private void skipLongBracket(int level) throws SyntaxException {
        String close = "]" + "=".repeat(level) + "]";
        int end = text.indexOf(close, pos);
        if (end < 0) {
            throw new SyntaxException(line, "unterminated long string or comment in a Lua block");
        }
        line += (int) text.substring(pos, end).chars().filter(c -> c == '\n').count();
        pos = end + close.length();
    }

    private void skipLuaString(char quote) throws SyntaxException {
        while (pos < text.length()) {
            char ch = text.charAt(pos++);
            if (ch == '\\') {
                if (pos < text.length() && text.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            } else if (ch == quote) {
                return;
            } else if (ch == '\n') {
                throw new SyntaxException(line, "unfinished string in a Lua block");
            }
        }
        throw new SyntaxException(line, "unfinished string in a Lua block");
    }

    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    }
}
