// sh: the shell.  Reads a line, parses it into a tree and runs the tree
// in a child process.
//
//   line     := pipeline { (';' | '&') pipeline }
//   pipeline := command { '|' command }
//   command  := ( '(' line ')' | word { word } ) with < > >> redirections
//
// `a & b` runs a in the background; `cd dir` is built in.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAXARGS   16
#define MAXTOK    64
#define MAXNODES  32
#define MAXREDIR  4

// ---- tokens ----------------------------------------------------------

enum { T_END, T_WORD, T_LT, T_GT, T_APPEND, T_PIPE, T_AMP, T_SEMI, T_LPAREN, T_RPAREN };

struct token {
  int type;
  char *word;   // T_WORD
};

static struct token toks[MAXTOK];
static int ntok, pos;
static char words[200];   // NUL-separated copies of the words

static int
isspace(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

static int
symtype(char c)
{
  switch(c){
  case '<': return T_LT;
  case '>': return T_GT;
  case '|': return T_PIPE;
  case '&': return T_AMP;
  case ';': return T_SEMI;
  case '(': return T_LPAREN;
  case ')': return T_RPAREN;
  }
  return 0;
}

// Split s into toks[]; -1 if the line is too long.
static int
tokenize(char *s)
{
  char *w = words;
  ntok = pos = 0;
  for(;;){
    while(isspace(*s))
      s++;
    if(ntok >= MAXTOK - 1)
      return -1;
    if(*s == 0)
      break;
    struct token *t = &toks[ntok++];
    if(symtype(*s)){
      t->type = symtype(*s++);
      if(t->type == T_GT && *s == '>'){
        t->type = T_APPEND;
        s++;
      }
      continue;
    }
    t->type = T_WORD;
    t->word = w;
    while(*s && !isspace(*s) && !symtype(*s)){
      if(w >= words + sizeof(words) - 1)
        return -1;
      *w++ = *s++;
    }
    *w++ = 0;
  }
  toks[ntok].type = T_END;
  return 0;
}

static int
peek(void)
{
  return toks[pos].type;
}

// ---- syntax tree -----------------------------------------------------

enum { N_EXEC, N_SUB, N_PIPE, N_LIST, N_BACK };

struct redir {
  char *file;
  int mode;   // open() flags
  int fd;     // descriptor to replace
};

struct node {
  int type;
  char *argv[MAXARGS];          // N_EXEC
  struct redir redir[MAXREDIR]; // N_EXEC, N_SUB
  int nredir;
  struct node *left, *right;    // N_PIPE, N_LIST; N_BACK and N_SUB use left
};

static struct node nodes[MAXNODES];
static int nnode;
static char *syntax_error;

static struct node *
newnode(int type, struct node *left, struct node *right)
{
  if(nnode >= MAXNODES){
    syntax_error = "too many commands";
    return 0;
  }
  struct node *n = &nodes[nnode++];
  memset(n, 0, sizeof(*n));
  n->type = type;
  n->left = left;
  n->right = right;
  return n;
}

static struct node *parseline(void);

// Parse any redirections at the current position into n.
static void
parseredirs(struct node *n)
{
  while(!syntax_error && (peek() == T_LT || peek() == T_GT || peek() == T_APPEND)){
    int type = toks[pos++].type;
    if(peek() != T_WORD){
      syntax_error = "missing file for redirection";
      return;
    }
    if(n->nredir >= MAXREDIR){
      syntax_error = "too many redirections";
      return;
    }
    struct redir *r = &n->redir[n->nredir++];
    r->file = toks[pos++].word;
    if(type == T_LT){
      r->mode = O_RDONLY;
      r->fd = 0;
    } else {
      // ">" truncates, ">>" appends (the open offset is moved to the end at run time).
      r->mode = type == T_GT ? O_WRONLY | O_CREATE | O_TRUNC : O_RDWR | O_CREATE;
      r->fd = type == T_APPEND ? -1 : 1;
    }
  }
}

static struct node *
parsecommand(void)
{
  struct node *n;
  if(peek() == T_LPAREN){
    pos++;
    struct node *inner = parseline();
    if(peek() != T_RPAREN){
      syntax_error = "missing )";
      return 0;
    }
    pos++;
    if((n = newnode(N_SUB, inner, 0)) != 0)
      parseredirs(n);
    return n;
  }
  if((n = newnode(N_EXEC, 0, 0)) == 0)
    return 0;
  int argc = 0;
  parseredirs(n);
  while(!syntax_error && peek() == T_WORD){
    if(argc >= MAXARGS - 1){
      syntax_error = "too many arguments";
      return 0;
    }
    n->argv[argc++] = toks[pos++].word;
    parseredirs(n);
  }
  return n;
}

static struct node *
parsepipeline(void)
{
  struct node *n = parsecommand();
  while(!syntax_error && peek() == T_PIPE){
    pos++;
    n = newnode(N_PIPE, n, parsecommand());
  }
  return n;
}

static struct node *
parseline(void)
{
  if(peek() == T_END || peek() == T_RPAREN)
    return newnode(N_EXEC, 0, 0);   // empty
  struct node *n = parsepipeline();
  while(!syntax_error){
    if(peek() == T_AMP){
      pos++;
      n = newnode(N_BACK, n, 0);
    } else if(peek() == T_SEMI){
      pos++;
    } else {
      break;
    }
    if(peek() == T_END || peek() == T_RPAREN)
      break;
    n = newnode(N_LIST, n, parsepipeline());
  }
  return n;
}

static struct node *
parse(char *s)
{
  nnode = 0;
  syntax_error = 0;
  if(tokenize(s) < 0){
    syntax_error = "line too long";
    return 0;
  }
  struct node *n = parseline();
  if(!syntax_error && peek() != T_END)
    syntax_error = "unexpected symbol";
  return syntax_error ? 0 : n;
}

// ---- execution -------------------------------------------------------

static void
panic(char *s)
{
  fprintf(2, "%s\n", s);
  exit(1);
}

static int
fork1(void)
{
  int pid = fork();
  if(pid == -1)
    panic("fork");
  return pid;
}

static void
applyredirs(struct node *n)
{
  for(int i = 0; i < n->nredir; i++){
    struct redir *r = &n->redir[i];
    int fd = r->fd < 0 ? 1 : r->fd;
    close(fd);
    if(open(r->file, r->mode) != fd){
      fprintf(2, "open %s failed\n", r->file);
      exit(1);
    }
    if(r->fd < 0){   // >>: move to the end of the file
      char buf[512];
      while(read(fd, buf, sizeof(buf)) > 0)
        ;
    }
  }
}

// Run the tree n in this process; never returns.  GCC sees only the
// recursion, not the exit() at the bottom of every branch.
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noreturn)) static void
runcmd(struct node *n)
{
  int p[2];
  if(n == 0)
    exit(1);
  switch(n->type){
  case N_EXEC:
    applyredirs(n);
    if(n->argv[0] == 0)
      exit(0);
    exec(n->argv[0], n->argv);
    fprintf(2, "exec %s failed\n", n->argv[0]);
    exit(1);
  case N_SUB:
    applyredirs(n);
    runcmd(n->left);
    break;
  case N_PIPE:
    if(pipe(p) < 0)
      panic("pipe");
    if(fork1() == 0){
      close(1);
      dup(p[1]);
      close(p[0]);
      close(p[1]);
      runcmd(n->left);
    }
    if(fork1() == 0){
      close(0);
      dup(p[0]);
      close(p[0]);
      close(p[1]);
      runcmd(n->right);
    }
    close(p[0]);
    close(p[1]);
    wait(0);
    wait(0);
    break;
  case N_LIST:
    if(fork1() == 0)
      runcmd(n->left);
    wait(0);
    runcmd(n->right);
    break;
  case N_BACK:
    if(fork1() == 0)
      runcmd(n->left);
    break;
  }
  exit(0);
}

static int
getcmd(char *buf, int nbuf)
{
  write(2, "$ ", 2);
  memset(buf, 0, nbuf);
  gets(buf, nbuf);
  if(buf[0] == 0)   // end of input
    return -1;
  return 0;
}

int
main(void)
{
  static char buf[100];
  int fd;

  // Make sure descriptors 0, 1 and 2 are open on the console.
  while((fd = open("console", O_RDWR)) >= 0){
    if(fd >= 3){
      close(fd);
      break;
    }
  }

  while(getcmd(buf, sizeof(buf)) >= 0){
    char *s = buf;
    while(*s == ' ' || *s == '\t')
      s++;
    if(s[0] == 'c' && s[1] == 'd' && (s[2] == ' ' || s[2] == '\n' || s[2] == 0)){
      char *dir = s + 2, *e;
      while(*dir == ' ')
        dir++;
      for(e = dir; *e && *e != '\n' && *e != ' '; e++)
        ;
      *e = 0;
      if(chdir(*dir ? dir : "/") < 0)
        fprintf(2, "cannot cd %s\n", dir);
      continue;
    }
    struct node *n = parse(buf);
    if(n == 0){
      fprintf(2, "syntax error: %s\n", syntax_error);
      continue;
    }
    if(fork1() == 0)
      runcmd(n);
    wait(0);
  }
  exit(0);
}
