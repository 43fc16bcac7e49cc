"""Lexer and parser for the awk subset of :mod:`aoi_gym.shell.tools.awk`.

The program becomes a list of rules ``(pattern, action)`` where patterns are ``"BEGIN"``,
``"END"``, an expression, a range ``("range", e1, e2)`` or None, and actions are statement
lists. Expressions and statements are tuples whose first item names the node.
Not supported (a clear error says so): user-defined functions, getline, output to files/pipes.
"""

from __future__ import annotations

import re

from aoi_gym.shell.tools._common import TokenParser

__all__ = ["AwkSyntaxError", "parse_program", "BUILTIN_FUNCS"]

BUILTIN_FUNCS = frozenset({
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "tolower", "toupper",
    "int", "sqrt", "exp", "log", "sin", "cos", "atan2", "rand", "srand", "system", "systime", "strftime",
})
_KEYWORDS = frozenset({
    "BEGIN", "END", "if", "else", "while", "for", "do", "in", "next", "nextfile", "exit", "print", "printf",
    "delete", "break", "continue", "getline", "function", "func", "return",
})
_TOKEN = re.compile(
    r"""(?P<ws>[ \t]+|\\\n|\#[^\n]*)
      |(?P<nl>\n)
      |(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      |(?P<str>"(?:[^"\\\n]|\\.)*")
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<op>\+\+|--|\+=|-=|\*=|/=|%=|\^=|\*\*=|\*\*|==|<=|>=|!=|!~|&&|\|\||>>|[-+*/%^!<>|?:~$=(){}\[\];,])
    """,
    re.X,
)
_STR_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "/": "/", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
# tokens after which a "/" divides; anywhere else it starts a regular expression
_OPERAND_END = {"num", "str", "name", "func", "ere", ")", "]", "$", "++", "--"}


class AwkSyntaxError(Exception):
    pass


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _STR_ESC.get(m.group(1), "\\" + m.group(1)), body)


def tokenize(src: str) -> list[tuple[str, str]]:
    toks: list[tuple[str, str]] = []
    i = 0
    while i < len(src):
        if src[i] == "/" and (not toks or toks[-1][0] not in _OPERAND_END) and not src.startswith("/=", i):
            j = i + 1
            while j < len(src) and src[j] != "/":
                if src[j] == "\n":
                    break
                j += 2 if src[j] == "\\" else 1
            if j >= len(src) or src[j] != "/":
                raise AwkSyntaxError("unterminated regexp")
            toks.append(("ere", src[i + 1 : j].replace("\\/", "/")))
            i = j + 1
            continue
        m = _TOKEN.match(src, i)
        if not m:
            raise AwkSyntaxError(f"syntax error at or near {src[i]}")
        i = m.end()
        kind = m.lastgroup
        text = m.group()
        if kind == "ws":
            continue
        if kind == "str":
            toks.append(("str", _unescape(text[1:-1])))
        elif kind == "name":
            if text in _KEYWORDS:
                # "func" is gawk's synonym of "function": one kind, apart from the builtins' "func"
                toks.append(("function" if text == "func" else text, text))
            elif text in BUILTIN_FUNCS:
                toks.append(("func", text))
            else:
                toks.append(("name", text))
        elif kind == "op":
            toks.append((text, text))
        else:
            toks.append((kind, text))  # type: ignore[arg-type]
    toks.append(("eof", ""))
    return toks


class _Parser(TokenParser):
    def __init__(self, src: str) -> None:
        super().__init__(tokenize(src))

    def unexpected(self, tok: tuple, expected: str) -> Exception:
        shown = "end of program" if tok[0] == "eof" else ("newline" if tok[0] == "nl" else tok[1])
        return AwkSyntaxError(f"syntax error at or near {shown}")

    def newlines(self) -> None:
        while self.peek() == "nl":
            self.i += 1

    def terminators(self) -> None:
        while self.peek() in ("nl", ";"):
            self.i += 1

    # ------------------------------------------------------------------ program
    def program(self) -> list:
        rules = []
        self.terminators()
        while self.peek() != "eof":
            if self.peek() == "function":
                raise AwkSyntaxError("user-defined functions are not supported by this awk")
            if self.peek() in ("BEGIN", "END"):
                pattern: object = self.take()[0]
                self.newlines()
                rules.append((pattern, self.block()))
            else:
                pattern = None
                if self.peek() != "{":
                    pattern = self.expr()
                    if self.peek() == ",":
                        self.take()
                        self.newlines()
                        pattern = ("range", pattern, self.expr(), [False])
                action = self.block() if self.peek() == "{" else None
                rules.append((pattern, action))
            self.terminators()
        return rules

    def block(self) -> list:
        self.take("{")
        stmts = []
        self.terminators()
        while self.peek() != "}":
            stmts.append(self.statement())
            self.terminators()
        self.take("}")
        return stmts

    def simple_end(self) -> None:
        if self.peek() in (";", "nl"):
            self.take()
        elif self.peek() not in ("}", "eof"):
            raise AwkSyntaxError(f"syntax error at or near {self.toks[self.i][1]}")

    def body(self) -> list:
        self.newlines()
        if self.peek() == ";":
            self.take()
            return []
        return [self.statement()]

    def statement(self):
        k = self.peek()
        if k == "{":
            return ("block", self.block())
        if k == "if":
            self.take()
            self.take("(")
            cond = self.expr()
            self.take(")")
            then = self.body()
            save = self.i
            self.terminators()
            if self.peek() == "else":
                self.take()
                return ("if", cond, then, self.body())
            self.i = save
            return ("if", cond, then, [])
        if k == "while":
            self.take()
            self.take("(")
            cond = self.expr()
            self.take(")")
            if self.peek() == ";":  # the tail of do ... while
                self.take()
                return ("while", cond, [])
            return ("while", cond, self.body())
        if k == "do":
            self.take()
            body = self.body()
            self.terminators()
            self.take("while")
            self.take("(")
            cond = self.expr()
            self.take(")")
            self.simple_end()
            return ("do", body, cond)
        if k == "for":
            return self.for_statement()
        if k in ("next", "nextfile", "break", "continue"):
            self.take()
            self.simple_end()
            return (k if k != "nextfile" else "next",)
        if k == "exit":
            self.take()
            code = None if self.peek() in (";", "nl", "}", "eof") else self.expr()
            self.simple_end()
            return ("exit", code)
        if k == "return":
            raise AwkSyntaxError("return outside a function")
        if k == "getline":
            raise AwkSyntaxError("getline is not supported by this awk")
        if k == "delete":
            self.take()
            name = self.take("name")[1]
            sub = None
            if self.peek() == "[":
                self.take()
                sub = self.subscript()
            self.simple_end()
            return ("delete", name, sub)
        if k in ("print", "printf"):
            return self.print_statement()
        e = self.expr()
        self.simple_end()
        return ("expr", e)

    def for_statement(self):
        self.take("for")
        self.take("(")
        if self.peek() == "name" and self.peek(1) == "in" and self.peek(2) == "name" and self.peek(3) == ")":
            var = self.take()[1]
            self.take("in")
            arr = self.take()[1]
            self.take(")")
            return ("forin", var, arr, self.body())
        init = None if self.peek() == ";" else self.expr()
        self.take(";")
        self.newlines()
        cond = None if self.peek() == ";" else self.expr()
        self.take(";")
        self.newlines()
        step = None if self.peek() == ")" else self.expr()
        self.take(")")
        return ("for", init, cond, step, self.body())

    def print_statement(self):
        kind = self.take()[0]
        args = []
        if self.peek() not in (";", "nl", "}", ">", ">>", "|", "eof"):
            grouped = self.peek() == "("
            args.append(self.expr(no_gt=True))
            while self.peek() == ",":
                self.take()
                self.newlines()
                args.append(self.expr(no_gt=True))
            if grouped and len(args) == 1 and args[0][0] == "group":
                args = list(args[0][1])
        dest = None
        if self.peek() in (">", ">>", "|"):
            op = self.take()[0]
            target = self.primary()
            dest = (op, target)
        self.simple_end()
        return (kind, args, dest)

    def subscript(self):
        parts = [self.expr()]
        while self.peek() == ",":
            self.take()
            parts.append(self.expr())
        self.take("]")
        return parts

    # ------------------------------------------------------------------ expressions
    def expr(self, no_gt: bool = False):
        return self.ternary(no_gt)

    def ternary(self, no_gt: bool):
        cond = self.or_(no_gt)
        if self.peek() == "?":
            self.take()
            self.newlines()
            a = self.ternary(no_gt)
            self.newlines()
            self.take(":")
            self.newlines()
            b = self.ternary(no_gt)
            return ("cond", cond, a, b)
        if self.peek() in ("=", "+=", "-=", "*=", "/=", "%=", "^=", "**=") and cond[0] in ("var", "field", "index"):
            op = self.take()[0]
            self.newlines()
            value = self.ternary(no_gt)
            return ("assign", op, cond, value)
        return cond

    def or_(self, no_gt):
        left = self.and_(no_gt)
        while self.peek() == "||":
            self.take()
            self.newlines()
            left = ("or", left, self.and_(no_gt))
        return left

    def and_(self, no_gt):
        left = self.in_(no_gt)
        while self.peek() == "&&":
            self.take()
            self.newlines()
            left = ("and", left, self.in_(no_gt))
        return left

    def in_(self, no_gt):
        left = self.match(no_gt)
        while self.peek() == "in":
            self.take()
            left = ("in", [left], self.take("name")[1])
        return left

    def match(self, no_gt):
        left = self.comparison(no_gt)
        while self.peek() in ("~", "!~"):
            op = self.take()[0]
            left = ("match", op == "!~", left, self.comparison(no_gt))
        return left

    def comparison(self, no_gt):
        left = self.concat(no_gt)
        ops = ("<", "<=", "!=", "==", ">=") if no_gt else ("<", "<=", "!=", "==", ">", ">=")
        if self.peek() in ops:
            op = self.take()[0]
            left = ("cmp", op, left, self.concat(no_gt))
        return left

    def concat(self, no_gt):
        left = self.additive()
        while self.peek() in ("num", "str", "ere", "name", "func", "$", "(", "++", "--"):
            if self.peek() == "name" and self.peek(1) == "in":
                break
            left = ("concat", left, self.additive())
        return left

    def additive(self):
        return self.left_assoc(("+", "-"), self.multiplicative, "bin")

    def multiplicative(self):
        return self.left_assoc(("*", "/", "%"), self.unary, "bin")

    def unary(self):
        k = self.peek()
        if k == "!":
            self.take()
            return ("not", self.unary())
        if k in ("-", "+"):
            self.take()
            return ("neg" if k == "-" else "plus", self.unary())
        return self.power()

    def power(self):
        base = self.postfix()
        if self.peek() in ("^", "**"):
            self.take()
            return ("bin", "^", base, self.unary())  # right associative
        return base

    def postfix(self):
        k = self.peek()
        if k in ("++", "--"):
            self.take()
            target = self.postfix()
            return ("incr", k, target, True)
        e = self.primary()
        if self.peek() in ("++", "--") and e[0] in ("var", "field", "index"):
            return ("incr", self.take()[0], e, False)
        return e

    def primary(self):
        kind, text = self.take()
        if kind == "num":
            return ("num", float(text))
        if kind == "str":
            return ("str", text)
        if kind == "ere":
            return ("ere", text)
        if kind == "$":
            return ("field", self.postfix_operand())
        if kind == "(":
            first = self.expr()
            if self.peek() == ",":
                items = [first]
                while self.peek() == ",":
                    self.take()
                    items.append(self.expr())
                self.take(")")
                if self.peek() == "in":
                    self.take()
                    return ("in", items, self.take("name")[1])
                return ("group", items)
            self.take(")")
            return ("paren", first)
        if kind == "func":
            args = []
            if self.peek() == "(":
                self.take()
                self.newlines()
                if self.peek() != ")":
                    args.append(self.expr())
                    while self.peek() == ",":
                        self.take()
                        self.newlines()
                        args.append(self.expr())
                self.take(")")
            elif text != "length":
                raise AwkSyntaxError(f"syntax error at or near {text}")
            return ("call", text, args)
        if kind == "name":
            if self.peek() == "[":
                self.take()
                return ("index", text, self.subscript())
            return ("var", text)
        if kind == "getline":
            raise AwkSyntaxError("getline is not supported by this awk")
        shown = "end of program" if kind == "eof" else ("newline" if kind == "nl" else text)
        raise AwkSyntaxError(f"syntax error at or near {shown}")

    def postfix_operand(self):
        k = self.peek()
        if k in ("++", "--", "-", "!"):
            return self.unary()
        return self.primary()


def parse_program(src: str) -> list:
    """Rules of an awk program; raises :class:`AwkSyntaxError`."""
    return _Parser(src).program()
