package dev.switchboard.swarm.tools;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Arithmetic the model should not do in its head: + - * / and parentheses on decimals. A small
 * recursive-descent parser, not a script engine: nothing but arithmetic can run.
 */
@Singleton
@RegisterForReflection
public class CalculatorTool implements ToolSet {
    private static final MathContext PRECISION = new MathContext(20, RoundingMode.HALF_EVEN);

    @RegisterForReflection
    record Expression(@Arg(description = "e.g. (19.99 * 3) - 5", minLength = 1, maxLength = 200) String expression) {
    }

    @ToolFunction(name = "calculator", description = "Evaluate an arithmetic expression with + - * / and parentheses, exactly (decimal).")
    String calculate(ToolContext context, Expression args) {
        return evaluate(args.expression()).stripTrailingZeros().toPlainString();
    }

    static BigDecimal evaluate(String expression) {
        Parser p = new Parser(expression);
        BigDecimal v = p.sum();
        p.skipSpaces();
        if (p.pos < expression.length()) {
            throw new ToolException("unexpected '" + expression.charAt(p.pos) + "' at position " + (p.pos + 1));
        }
        return v;
    }

    private static final class Parser {
        private final String s;
        private int pos;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        BigDecimal sum() {
            BigDecimal v = product();
            while (true) {
                skipSpaces();
                if (eat('+')) {
                    v = v.add(product(), PRECISION);
                } else if (eat('-')) {
                    v = v.subtract(product(), PRECISION);
                } else {
                    return v;
                }
            }
        }

        BigDecimal product() {
            BigDecimal v = factor();
            while (true) {
                skipSpaces();
                if (eat('*')) {
                    v = v.multiply(factor(), PRECISION);
                } else if (eat('/')) {
                    BigDecimal d = factor();
                    if (d.signum() == 0) {
                        throw new ToolException("division by zero");
                    }
                    v = v.divide(d, PRECISION);
                } else {
                    return v;
                }
            }
        }

        BigDecimal factor() {
            skipSpaces();
            if (eat('-')) {
                return factor().negate();
            }
            if (eat('(')) {
                if (++depth > 50) {
                    throw new ToolException("too deeply nested");
                }
                BigDecimal v = sum();
                skipSpaces();
                if (!eat(')')) {
                    throw new ToolException("missing ')' at position " + (pos + 1));
                }
                depth--;
                return v;
            }
            int start = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                pos++;
            }
            if (start == pos) {
                throw new ToolException(pos < s.length() ? "unexpected '" + s.charAt(pos) + "' at position " + (pos + 1)
                        : "the expression ends too early");
            }
            try {
                return new BigDecimal(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new ToolException("bad number '" + s.substring(start, pos) + "'");
            }
        }

        boolean eat(char c) {
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
