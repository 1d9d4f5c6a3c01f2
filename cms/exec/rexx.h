/* SPDX-License-Identifier: MIT */
/*
 * cms/exec/rexx.h - the private header of the EXEC interpreter (a REXX-style
 * language in the CMS nucleus).  Nothing outside cms/exec/ includes it; CMS
 * sees only cms_exec_hook (cms/cms.h), which rexx_cms.c installs.
 *
 * Files, bottom up:
 *   rexx_mem.c    tracked allocations (freed after each EXEC) and the
 *                 scratch arena for temporary strings (freed per clause)
 *   rexx_lex.c    source -> tokens -> clauses (THEN/ELSE/OTHERWISE and
 *                 labels split off as clauses of their own)
 *   rexx_num.c    decimal arithmetic on strings (NUMERIC DIGITS)
 *   rexx_var.c    variable pools, compound symbols, PROCEDURE EXPOSE
 *   rexx_eval.c   expressions, function calls, TRACE I output
 *   rexx_parse.c  PARSE templates
 *   rexx_run.c    clauses and control structures, calls, SIGNAL, errors
 *   rexx_instr.c  the simple instructions (SAY, NUMERIC, ADDRESS, ...)
 *   rexx_bif.c, rexx_bif2.c  built-in functions
 *   rexx_cms.c    the CMS hook: files, commands, the stack, attention
 *   rexx_shv.c    shared variable access for commands (execcomm.h)
 *   execio.c, execio_disk.c  the EXECIO command (execio.h)
 *
 * Values are byte strings (pointer + length).  Temporaries live in the
 * scratch arena: a clause marks it when it starts and releases back to the
 * mark when it ends, so a loop does not grow storage.  Everything else is
 * allocated with rx_alloc and hangs on the interpreter's list, so an error
 * (a longjmp to the top) loses nothing: rx_free_all frees it at the end.
 */
#ifndef CMS_EXEC_REXX_H
#define CMS_EXEC_REXX_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values -------------------------------------------------------------- */
struct rx_val {
    const char *s;
    size_t n;
};

struct rx; /* the interpreter state of one EXEC */

/* ---- rexx_mem.c ------------------------------------------------------------ */
struct rx_mark {
    struct rx_chunk *chunk;
    size_t used;
};
/* Tracked allocation: zeroed; raises error 5 when storage runs out. */
void *rx_alloc(struct rx *rx, size_t n);
void *rx_realloc(struct rx *rx, void *p, size_t n);
void rx_free(struct rx *rx, void *p);
/* Frees every tracked block and the arena (at the end of the EXEC). */
void rx_free_all(struct rx *rx);
/* Scratch storage: valid until the arena is released below it. */
void *rx_tmp(struct rx *rx, size_t n);
struct rx_mark rx_mark(struct rx *rx);
void rx_release(struct rx *rx, struct rx_mark m);
struct rx_val rx_tmpcopy(struct rx *rx, const char *s, size_t n);
struct rx_val rx_cstr(const char *s);
struct rx_val rx_fmt(struct rx *rx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct rx_val rx_int(struct rx *rx, long long v);

/* ---- rexx_lex.c ------------------------------------------------------------ */
enum rx_toktype { T_SYM, T_NUM, T_STR, T_OP, T_LP, T_RP, T_COMMA, T_COLON };
enum rx_op {
    OP_NONE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_IDIV, OP_REM, OP_POW, OP_CAT,
    OP_EQ, OP_NE, OP_GT, OP_LT, OP_GE, OP_LE,
    OP_SEQ, OP_SNE, OP_SGT, OP_SLT, OP_SGE, OP_SLE,
    OP_AND, OP_OR, OP_XOR, OP_NOT,
};
struct rx_tok {
    uint8_t type;
    uint8_t op; /* T_OP */
    uint8_t blank; /* a blank (or comment) came before it */
    uint8_t hexstr; /* T_STR written as '..'X or '..'B */
    uint32_t n;
    const char *s; /* symbols upper case; strings decoded */
    /* the variable of a simple symbol (rexx_var.c's lookup cache): valid
     * while the current pool's serial is cpool; simple: 0 not yet known,
     * 1 a simple symbol (no dot), 2 not */
    void *cvar;
    uint64_t cpool;
    uint8_t simple;
};
/* Clause kinds (instruction keywords, and the rest). */
enum rx_kind {
    K_NULL, K_LABEL, K_ASSIGN, K_CMD, K_THEN, K_ELSE, K_OTHERWISE,
    K_ADDRESS, K_ARG, K_CALL, K_DO, K_DROP, K_END, K_EXIT, K_IF, K_INTERPRET,
    K_ITERATE, K_LEAVE, K_NOP, K_NUMERIC, K_PARSE, K_PROCEDURE, K_PULL, K_PUSH,
    K_QUEUE, K_RETURN, K_SAY, K_SELECT, K_SIGNAL, K_TRACE, K_UPPER, K_WHEN,
};
struct rx_clause {
    uint32_t tok; /* first token */
    uint16_t ntok;
    uint8_t kind;
    uint32_t line;
    int32_t match; /* DO/SELECT: its END; IF/WHEN: its THEN */
    const char *src; /* source text for TRACE */
    uint32_t srclen;
};
struct rx_prog {
    struct rx_tok *tok;
    size_t ntok, captok;
    struct rx_clause *cl;
    size_t ncl, capcl;
};
/* Tokenizes and splits src into pg (allocations tracked in rx).  Raises a
 * syntax error (6, 13, 15, 10, 14) on bad source.  line0: the line number
 * of the first line. */
void rx_lex(struct rx *rx, struct rx_prog *pg, const char *src, size_t len, uint32_t line0);
/* Does token t name keyword kw (upper case)? */
int rx_tok_is(const struct rx_tok *t, const char *kw);

/* ---- rexx_num.c ------------------------------------------------------------ */
/* Arithmetic op on two strings (error 41 if one is not a number). */
struct rx_val rx_arith(struct rx *rx, int op, struct rx_val a, struct rx_val b);
/* The value of a number after NUMERIC DIGITS rounding (prefix + and -). */
struct rx_val rx_num_norm(struct rx *rx, struct rx_val a, int negate);
/* A plain whole number of at most 9 digits (optional sign): *out. */
int rx_small_int(struct rx_val a, long long *out);
/* Is it a number? */
int rx_is_num(struct rx_val a);
/* Compares two numbers: -1, 0, 1 (error 41 if not numbers). */
int rx_num_cmp(struct rx *rx, struct rx_val a, struct rx_val b);
/* A whole number (error 26 when not, or too large for a long). */
long rx_whole(struct rx *rx, struct rx_val a);
/* Is it a whole number; sets *out. */
int rx_try_whole(struct rx *rx, struct rx_val a, long *out);
/* FORMAT(number, before, after): -1 for an omitted part. */
struct rx_val rx_num_format(struct rx *rx, struct rx_val a, long before, long after);
/* TRUNC(number, n). */
struct rx_val rx_num_trunc(struct rx *rx, struct rx_val a, long n);

/* ---- rexx_var.c ------------------------------------------------------------ */
struct rx_pool;
struct rx_pool *rx_pool_new(struct rx *rx, struct rx_pool *parent);
void rx_pool_free(struct rx *rx, struct rx_pool *p);
/* Variables by derived name (upper case; "STEM." for a stem, "STEM.TAIL"
 * for a compound).  get: 1 and *v if it has a value. */
int rx_var_get(struct rx *rx, const char *name, size_t n, struct rx_val *v);
void rx_var_set(struct rx *rx, const char *name, size_t n, struct rx_val v);
void rx_var_drop(struct rx *rx, const char *name, size_t n);
/* Marks name (a variable or a stem) of the current pool as the caller's. */
void rx_var_expose(struct rx *rx, const char *name, size_t n);
/* The derived name of a symbol token (compound tails substituted). */
struct rx_val rx_var_name(struct rx *rx, const char *sym, size_t n);
/* The value of a symbol as an expression term (NOVALUE handling). */
struct rx_val rx_sym_value(struct rx *rx, const char *sym, size_t n);
/* The same for the symbol of token t, with a per-token cache of the
 * variable (t is const for the parser; only its cache fields change). */
struct rx_val rx_tok_value(struct rx *rx, const struct rx_tok *t);
int rx_tok_get(struct rx *rx, const struct rx_tok *t, struct rx_val *v);
void rx_tok_set(struct rx *rx, const struct rx_tok *t, struct rx_val v);
/* Convenience for simple names such as RC, RESULT, SIGL. */
void rx_var_set_c(struct rx *rx, const char *name, struct rx_val v);
void rx_var_set_int(struct rx *rx, const char *name, long long v);
/* Is sym a valid symbol (SYMBOL(), VALUE())? */
int rx_valid_symbol(const char *s, size_t n);

/* ---- rexx_eval.c ------------------------------------------------------------ */
/* Evaluates the tokens [a, b) of the current program. */
struct rx_val rx_eval(struct rx *rx, uint32_t a, uint32_t b);
/* Is the value "1" or "0" (error 34 otherwise)? */
int rx_truth(struct rx *rx, struct rx_val v);
/* Calls a routine or function by name with args; returns 1 and *res when
 * it returned a value.  isfunc: error 44 if none.  quoted: skip labels. */
int rx_call(struct rx *rx, const char *name, size_t n, int nargs, struct rx_val *args,
            uint8_t *given, int quoted, int isfunc, struct rx_val *res);
/* Normal and strict comparison; returns the truth. */
int rx_compare(struct rx *rx, int op, struct rx_val a, struct rx_val b);

/* ---- rexx_parse.c ---------------------------------------------------------- */
/* Parses src with the template in tokens [a, b); upper: PARSE UPPER.  For
 * PARSE ARG, several strings split by commas in the template. */
void rx_parse_template(struct rx *rx, struct rx_val *srcs, int nsrc, uint32_t a, uint32_t b,
                       int upper);

/* ---- rexx_bif.c, rexx_bif2.c ----------------------------------------------- */
typedef struct rx_val (*rx_bif_fn)(struct rx *rx, int n, struct rx_val *a, uint8_t *given);
struct rx_bif {
    const char *name;
    uint8_t min, max;
    rx_bif_fn fn;
};
/* The built-in function name (upper case) or NULL. */
const struct rx_bif *rx_bif_find(const char *name, size_t n);
extern const struct rx_bif rx_bifs1[], rx_bifs2[];
extern const size_t rx_nbifs1, rx_nbifs2;
/* Argument helpers for the built-ins (errors 40 on bad arguments). */
long rx_arg_whole(struct rx *rx, struct rx_val *a, uint8_t *given, int i, long dflt, long min);
char rx_arg_pad(struct rx *rx, struct rx_val *a, uint8_t *given, int i);
char rx_arg_opt(struct rx *rx, struct rx_val *a, uint8_t *given, int i, char dflt);
/* Words: the start and length of word i (1-based) in s; 0 if none. */
int rx_word(struct rx_val s, long i, size_t *start, size_t *len);
long rx_words(struct rx_val s);

/* ---- rexx_run.c ------------------------------------------------------------ */
enum rx_status { ST_NORMAL, ST_LEAVE, ST_ITERATE, ST_RETURN, ST_SIGNAL };
enum rx_cond { C_ERROR, C_FAILURE, C_HALT, C_NOVALUE, C_SYNTAX, C__COUNT };
/* trap_on[cond]: 0 off, or how the trap fires */
#define TRAP_SIGNAL 1
#define TRAP_CALL 2
/* TRACE settings; R, I and A (>= TR_RESULTS) trace every clause. */
enum rx_trace { TR_OFF, TR_NORMAL, TR_ERRORS, TR_COMMANDS, TR_LABELS, TR_RESULTS,
                TR_INTERMEDIATES, TR_ALL };
#define RX_TRACING_RESULTS(t) ((t) == TR_RESULTS || (t) == TR_INTERMEDIATES)

/* One active routine (the main program or a CALLed internal routine). */
struct rx_frame {
    struct rx_frame *up;
    struct rx_prog *pg;
    struct rx_pool *pool;
    int nargs;
    struct rx_val *args;
    uint8_t *given;
    uint8_t trap_on[C__COUNT];
    const char *trap_label[C__COUNT];
    int digits, fuzz, form_eng;
    int trace;
    char address[9], address_prev[9];
    int procedure_ok; /* PROCEDURE allowed (first clause of a call) */
    int isfunc;
    jmp_buf *jb; /* where errors go in this routine */
};

struct rx {
    struct rx_alloc_hdr *allocs;
    struct rx_chunk *chunk, *spare;
    struct rx_prog *pg; /* the program being run (INTERPRET swaps it) */
    struct rx_prog main;
    struct rx_frame *fr;
    struct rx_pool *pool; /* the current variable pool */
    char fn[9], fm[3];
    const char *args; /* the argument string */
    int depth;
    /* control flow */
    int status;
    struct rx_val leave_name;
    uint32_t signal_cl; /* ST_SIGNAL: the clause to go to */
    struct rx_val result;
    int has_result;
    /* the clause now running (line numbers in messages, SIGL) */
    uint32_t cur_line;
    int cur_cl;
    struct rx_prog *cur_pg;
    /* conditions */
    struct rx_val cond_desc;
    int cond_name;
    int errno_; /* the error being raised */
    const char *err_extra;
    /* ending */
    jmp_buf *top_jb;
    int exit_rc;
    int halted; /* HX */
    unsigned poll_count;
    uint64_t clauses;
    int tracing_now;
    /* the source and the main program's argument */
    const char *src;
    size_t srclen;
    struct rx_val *main_args;
    uint8_t *main_given;
    int main_nargs;
    /* the EXIT value, for an EXEC called as an external routine */
    struct rx_val exit_value;
    int exit_has_value;
    /* TIME('E') */
    uint64_t elapsed_us;
    int elapsed_set;
};

/* Raises REXX error n (SIGNAL ON SYNTAX or the end of the EXEC). */
void rx_error(struct rx *rx, int n) __attribute__((noreturn));
const char *rx_error_text(int n);
/* Raises a condition (ERROR, FAILURE, NOVALUE, HALT): returns if not trapped. */
void rx_condition(struct rx *rx, int cond, struct rx_val desc);
/* Runs the program from clause i in the current frame until RETURN, the
 * end, or EXIT (a longjmp). */
void rx_run_from(struct rx *rx, uint32_t i);
/* Runs one instruction starting at clause i; returns the next clause. */
uint32_t rx_exec(struct rx *rx, uint32_t i);
/* The clause after the instruction starting at i (without running it). */
uint32_t rx_skip(struct rx *rx, uint32_t i);
/* Finds a label (upper case); -1 if none. */
long rx_find_label(struct rx *rx, const char *name, size_t n);
/* Runs an internal routine at label clause lab (CALL and functions). */
int rx_call_internal(struct rx *rx, uint32_t lab, int nargs, struct rx_val *args, uint8_t *given,
                     int isfunc, struct rx_val *res);
/* Runs a string as code (INTERPRET). */
void rx_interpret(struct rx *rx, struct rx_val code);
/* The program ends with rc (EXIT, RETURN from the main program). */
void rx_exit(struct rx *rx, int rc) __attribute__((noreturn));

/* ---- rexx_instr.c ------------------------------------------------------------ */
/* The handler of a simple instruction kind; NULL if rexx_run.c does it. */
typedef void (*rx_instr_fn)(struct rx *rx, const struct rx_clause *c);
rx_instr_fn rx_instr_handler(int kind);
/* Runs a command in the current environment; sets RC and raises ERROR. */
void rx_command(struct rx *rx, struct rx_val cmd);
/* TRACE output. */
void rx_trace_clause(struct rx *rx, const struct rx_clause *c);
void rx_trace_val(struct rx *rx, const char *tag, struct rx_val v);
int rx_trace_parse(struct rx *rx, struct rx_val v);

/* ---- rexx_cms.c: the CMS side ------------------------------------------------ */
void rx_say(struct rx *rx, const char *s, size_t n);
/* Reads a line: the program stack first, then the terminal. */
struct rx_val rx_pull_line(struct rx *rx);
void rx_push(struct rx *rx, struct rx_val v, int lifo);
int rx_queued(void);
/* A command to environment env (CMS, CP, ...); returns its rc. */
int rx_env_command(struct rx *rx, const char *env, struct rx_val cmd);
/* Runs "name EXEC" as an external routine: -1 if there is no such file,
 * else 1 with *res (its EXIT value) or 0 if it gave none. */
int rx_call_external(struct rx *rx, const char *name, size_t n, int nargs, struct rx_val *args,
                     uint8_t *given, struct rx_val *res);
/* The innermost running EXEC (shared variable access, rexx_shv.c). */
extern struct rx *rx_active;
/* Polls for attention (HI: error 4 / HALT; HX: the EXEC ends). */
void rx_poll(struct rx *rx);
const char *rx_userid(void);
/* The date and time (DATE(), TIME()). */
void rx_now(char date_iso[11], char time[9], uint64_t *tod_us, int64_t *utc_off);
uint64_t rx_cpu_us(void);

#define RX_MAX_DIGITS 200
#define RX_MAX_STRING (16u << 20) /* no string or block is larger */
#define RX_MAX_DEPTH 250

/* The lowest stack address the interpreter may use (rexx_cms.c sets it a
 * margin above the bottom of its stack): deeper nesting is error 11. */
extern uintptr_t rx_stack_limit;
static inline void
rx_stack_check(struct rx *rx)
{
    char here;
    if ((uintptr_t)&here < rx_stack_limit) {
        rx_error(rx, 11);
    }
}

#endif /* CMS_EXEC_REXX_H */
