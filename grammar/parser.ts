// The grammar of the graph language as a Chevrotain CstParser: syntax only, no semantic actions.
// Each rule is preceded by its EBNF production (`// EBNF:` lines); `npm run grammar` collects
// those into grammar/gradc.ebnf and draws the railroad diagrams from this parser.
import { CstParser, type CstNode, type IToken } from "chevrotain";
import * as T from "./tokens.js";

export class GraphParser extends CstParser {
  /** `validate`: check the grammar itself (a test does; the shipped instance skips it to start faster). */
  constructor(validate = false) {
    // No in-parse recovery: src/syntax/recovery.ts repairs the tokens after each first error
    // and parses again, so that one mistake gives one error; Chevrotain's guesses past the
    // first error only made a failing parse several times slower.
    super(T.allTokens, { recoveryEnabled: false, maxLookahead: 3, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  // EBNF: file        = { graphDecl | opDecl } ;
  file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.graphDecl) },
        { ALT: () => this.SUBRULE(this.opDecl) },
      ]);
    });
  });

  // EBNF: graphDecl   = "graph" name "{" { statement } "}" ;
  graphDecl = this.RULE("graphDecl", () => {
    this.CONSUME(T.Graph);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  // EBNF: opDecl      = "op" name "(" [ name { "," name } ] ")" "{" { assignment } "return" expr "}" ;
  opDecl = this.RULE("opDecl", () => {
    this.CONSUME(T.Op);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.CONSUME2(T.Identifier) });
    this.CONSUME(T.RParen);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.assignment));
    this.CONSUME(T.Return);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RBrace);
  });

  // EBNF: statement   = inputDecl | paramDecl | assignment | outputDecl | gradDecl ;
  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.assignment) },
      { ALT: () => this.SUBRULE(this.outputDecl) },
      { ALT: () => this.SUBRULE(this.gradDecl) },
    ]);
  });

  // EBNF: inputDecl   = "input" name [ ":" type ] [ "=" literal ] ;
  inputDecl = this.RULE("inputDecl", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.literal);
    });
  });

  // EBNF: paramDecl   = "param" name [ ":" type ] [ "=" ( literal | initializer ) ] ;
  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Equals);
      this.OR([
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.initializer) },
      ]);
    });
  });

  // EBNF: type        = "[" [ dim { "," dim } ] "]" ;
  type = this.RULE("type", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.dim) });
    this.CONSUME(T.RBracket);
  });

  // EBNF: dim         = integer | name ;
  dim = this.RULE("dim", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Identifier) },
    ]);
  });

  // EBNF: literal     = [ "-" ] number | "[" [ literal { "," literal } ] "]" ;
  literal = this.RULE("literal", () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.Minus));
          this.CONSUME(T.NumberLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.literal) });
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  // EBNF: initializer = name [ "(" [ signed { "," signed } ] ")" ] ;
  initializer = this.RULE("initializer", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.signed) });
      this.CONSUME(T.RParen);
    });
  });

  // EBNF: signed      = [ "-" ] number ;
  signed = this.RULE("signed", () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
  });

  // EBNF: assignment  = name "=" expr ;
  assignment = this.RULE("assignment", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  // EBNF: outputDecl  = "output" name { "," name } ;
  outputDecl = this.RULE("outputDecl", () => {
    this.CONSUME(T.Output);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
  });

  // EBNF: gradDecl    = "grad" name "wrt" name { "," name } ;
  gradDecl = this.RULE("gradDecl", () => {
    this.CONSUME(T.Grad);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Wrt);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME2(T.Identifier) });
  });

  // EBNF: expr        = term { ( "+" | "-" ) term } ;
  expr = this.RULE("expr", () => {
    this.SUBRULE(this.term);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.term);
    });
  });

  // EBNF: term        = factor { ( "*" | "/" | "@" ) factor } ;
  term = this.RULE("term", () => {
    this.SUBRULE(this.factor);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.At) },
      ]);
      this.SUBRULE2(this.factor);
    });
  });

  // EBNF: factor      = "-" factor | primary ;
  factor = this.RULE("factor", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.SUBRULE(this.factor);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  // EBNF: primary     = number | name [ "(" [ argument { "," argument } ] ")" ] | "(" expr ")" ;
  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.argument) });
            this.CONSUME(T.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME2(T.RParen);
        },
      },
    ]);
  });

  // EBNF: argument    = name "=" [ "-" ] ( number | name ) | expr ;
  argument = this.RULE("argument", () => {
    this.OR([
      {
        GATE: () => this.LA(2).tokenType === T.Equals,
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.CONSUME(T.Equals);
          this.OPTION(() => this.CONSUME(T.Minus));
          this.OR2([
            { ALT: () => this.CONSUME(T.NumberLiteral) },
            { ALT: () => this.CONSUME2(T.Identifier) },
          ]);
        },
      },
      { ALT: () => this.SUBRULE(this.expr) },
    ]);
  });
}

/** The one parser instance: Chevrotain parsers are built once and reused. */
export const graphParser = new GraphParser();

export type { CstNode, IToken };
