/* A LUBM-shaped data generator: N-Triples with the schema, predicates and
 * IRI shapes of the Lehigh University Benchmark (univ-bench ontology), at
 * the ratios of its generator UBA 1.7, deterministic from a seed.
 *
 *   lubmgen [-u UNIVERSITIES] [-s SEED] [-o FILE]
 *
 * Universities are University0 .. University(N-1); each has 15-25
 * departments. Per department:
 *   faculty      7-10 full, 10-14 associate, 8-11 assistant professors,
 *                5-7 lecturers; each teaches 1-2 courses and 1-2 graduate
 *                courses, has three degrees from any of 1,000 universities,
 *                an email address and a telephone; professors have a
 *                research interest; one full professor heads the department
 *   publications full 15-20, associate 10-18, assistant 5-10, lecturer 0-5
 *   students     8-14 undergraduates and 3-4 graduate students per faculty
 *                member; undergraduates take 2-4 courses and one in five has
 *                an advisor; graduate students take 1-3 graduate courses,
 *                have an advisor and an undergraduate degree, co-author 0-5
 *                of the department's publications; one in 4-5 is a teaching
 *                assistant of a course, one in 3-4 a research assistant
 *   groups       10-20 research groups
 * Advisors are professors: a rank first (each one third), then one of that
 * rank. About 125,000 triples a university: 8 make 1M, 80 make 10M. No
 * triple is written twice. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UB                  "<http://swat.cse.lehigh.edu/onto/univ-bench.owl#"
#define RDF_TYPE            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#define OWL                 "<http://www.w3.org/2002/07/owl#"
#define DEGREE_UNIVERSITIES 1000

enum { FULL, ASSOC, ASSIST, LECT, RANKS };
static const char *const rank_name[RANKS] = {
    "FullProfessor", "AssociateProfessor", "AssistantProfessor", "Lecturer"};
static const int rank_min[RANKS] = {7, 10, 8, 5};
static const int rank_max[RANKS] = {10, 14, 11, 7};
static const int pub_min[RANKS] = {15, 10, 5, 0};
static const int pub_max[RANKS] = {20, 18, 10, 5};

static uint64_t rng_state;

/* splitmix64 */
static uint64_t rnd(void)
{
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* uniform in [lo, hi] */
static int between(int lo, int hi)
{
  return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static FILE *out;
static unsigned char univ_typed[DEGREE_UNIVERSITIES];
static char dept_iri[128]; /* http://www.DepartmentD.UniversityU.edu */
static char dept_host[96]; /* DepartmentD.UniversityU.edu */

static void university(int u)
{
  if (u < DEGREE_UNIVERSITIES) {
    if (univ_typed[u]) {
      return;
    }
    univ_typed[u] = 1;
  }
  fprintf(out,
          "<http://www.University%d.edu> " RDF_TYPE " " UB "University> .\n",
          u);
}

/* <http://www.DepartmentD.UniversityU.edu/KINDi> */
static void node(const char *kind, int i)
{
  fprintf(out, "<%s/%s%d>", dept_iri, kind, i);
}

static void type_name(const char *kind, int i)
{
  node(kind, i);
  fprintf(out, " " RDF_TYPE " " UB "%s> .\n", kind);
  node(kind, i);
  fprintf(out, " " UB "name> \"%s%d\" .\n", kind, i);
}

static void
edge(const char *kind, int i, const char *pred, const char *kind2, int j)
{
  node(kind, i);
  fprintf(out, " " UB "%s> ", pred);
  node(kind2, j);
  fputs(" .\n", out);
}

static void to_dept(const char *kind, int i, const char *pred)
{
  node(kind, i);
  fprintf(out, " " UB "%s> <%s> .\n", pred, dept_iri);
}

static void degree(const char *kind, int i, const char *pred)
{
  int u = between(0, DEGREE_UNIVERSITIES - 1);
  university(u);
  node(kind, i);
  fprintf(out, " " UB "%s> <http://www.University%d.edu> .\n", pred, u);
}

static void contact(const char *kind, int i)
{
  node(kind, i);
  fprintf(out, " " UB "emailAddress> \"%s%d@%s\" .\n", kind, i, dept_host);
  node(kind, i);
  fputs(" " UB "telephone> \"xxx-xxx-xxxx\" .\n", out);
}

/* k distinct numbers from [0, n) into pick (k <= n) */
static int pick_distinct(int *pick, int k, int n)
{
  if (k > n) {
    k = n;
  }
  for (int a = 0; a < k; a++) {
    int v, dup;
    do {
      v = (int)(rnd() % (uint64_t)n);
      dup = 0;
      for (int b = 0; b < a; b++) {
        dup |= pick[b] == v;
      }
    } while (dup);
    pick[a] = v;
  }
  return k;
}

/* a student: name, department, contact, and lo-hi of the n courses of
 * the kind given */
static void
student(const char *k, int i, const char *course, int lo, int hi, int n)
{
  int pick[4];
  type_name(k, i);
  to_dept(k, i, "memberOf");
  contact(k, i);
  for (int m = pick_distinct(pick, between(lo, hi), n), c = 0; c < m; c++) {
    edge(k, i, "takesCourse", course, pick[c]);
  }
}

/* a random permutation of 0 .. n-1 */
static int *permutation(int n)
{
  int *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a);
  if (!a) {
    perror("lubmgen");
    exit(1);
  }
  for (int i = 0; i < n; i++) {
    a[i] = i;
  }
  for (int i = n - 1; i > 0; i--) {
    int j = (int)(rnd() % (uint64_t)(i + 1)), t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/* a publication of the department: its author's rank and number, and its
 * number among that author's */
struct pub {
  unsigned char rank;
  int who, num;
};

static void department(int u, int d)
{
  snprintf(dept_host, sizeof dept_host, "Department%d.University%d.edu", d, u);
  snprintf(dept_iri, sizeof dept_iri, "http://www.%s", dept_host);
  fprintf(out,
          "<http://lubm.example/University%d_%d.owl> " RDF_TYPE " " OWL
          "Ontology> .\n<http://lubm.example/University%d_%d.owl> " OWL
          "imports> <http://swat.cse.lehigh.edu/onto/univ-bench.owl> .\n",
          u, d, u, d);
  fprintf(out,
          "<%s> " RDF_TYPE " " UB "Department> .\n<%s> " UB
          "name> \"Department%d\" .\n<%s> " UB
          "subOrganizationOf> <http://www.University%d.edu> .\n",
          dept_iri, dept_iri, d, dept_iri, u);

  int count[RANKS], faculty = 0;
  for (int r = 0; r < RANKS; r++) {
    count[r] = between(rank_min[r], rank_max[r]);
    faculty += count[r];
  }
  int head = between(0, count[FULL] - 1);
  int courses = 0, gcourses = 0;
  size_t npubs = 0, cap_pubs = 0;
  struct pub *pubs = NULL;

  for (int r = 0; r < RANKS; r++) {
    const char *k = rank_name[r];
    for (int i = 0; i < count[r]; i++) {
      type_name(k, i);
      for (int c = between(1, 2); c > 0; c--) {
        edge(k, i, "teacherOf", "Course", courses);
        type_name("Course", courses++);
      }
      for (int c = between(1, 2); c > 0; c--) {
        edge(k, i, "teacherOf", "GraduateCourse", gcourses);
        type_name("GraduateCourse", gcourses++);
      }
      degree(k, i, "undergraduateDegreeFrom");
      degree(k, i, "mastersDegreeFrom");
      degree(k, i, "doctoralDegreeFrom");
      to_dept(k, i, "worksFor");
      if (r == FULL && i == head) {
        to_dept(k, i, "headOf");
      }
      contact(k, i);
      if (r != LECT) {
        node(k, i);
        fprintf(out, " " UB "researchInterest> \"Research%d\" .\n",
                between(0, 29));
      }
      for (int p = between(pub_min[r], pub_max[r]), j = 0; j < p; j++) {
        if (npubs == cap_pubs) {
          cap_pubs = cap_pubs ? cap_pubs * 2 : 256;
          pubs = realloc(pubs, cap_pubs * sizeof *pubs);
          if (!pubs) {
            perror("lubmgen");
            exit(1);
          }
        }
        pubs[npubs++] = (struct pub){(unsigned char)r, i, j};
        fprintf(out,
                "<%s/%s%d/Publication%d> " RDF_TYPE " " UB
                "Publication> .\n<%s/%s%d/Publication%d> " UB
                "name> \"Publication%d\" .\n<%s/%s%d/Publication%d> " UB
                "publicationAuthor> <%s/%s%d> .\n",
                dept_iri, k, i, j, dept_iri, k, i, j, j, dept_iri, k, i, j,
                dept_iri, k, i);
      }
    }
  }

  int pick[5];
  int under = faculty * between(8, 14);
  for (int i = 0; i < under; i++) {
    const char *k = "UndergraduateStudent";
    student(k, i, "Course", 2, 4, courses);
    if (rnd() % 5 == 0) {
      int r = between(FULL, ASSIST);
      edge(k, i, "advisor", rank_name[r], between(0, count[r] - 1));
    }
  }

  int grads = faculty * between(3, 4);
  int ta_every = between(4, 5), ra_every = between(3, 4);
  int tas = grads / ta_every, ras = grads / ra_every;
  if (tas > courses) {
    tas = courses;
  }
  /* which graduate students assist: a random permutation, TAs first */
  int *order = permutation(grads);
  int *ta_course = permutation(courses);
  /* role[g]: 0 none, 1 + c teaching assistant of course c, -1 research */
  int *role = calloc((size_t)grads, sizeof *role);
  if (!role) {
    perror("lubmgen");
    exit(1);
  }
  for (int i = 0; i < tas; i++) {
    role[order[i]] = 1 + ta_course[i];
  }
  for (int i = tas; i < tas + ras && i < grads; i++) {
    role[order[i]] = -1;
  }
  for (int i = 0; i < grads; i++) {
    const char *k = "GraduateStudent";
    student(k, i, "GraduateCourse", 1, 3, gcourses);
    degree(k, i, "undergraduateDegreeFrom");
    int r = between(FULL, ASSIST);
    edge(k, i, "advisor", rank_name[r], between(0, count[r] - 1));
    for (int n = pick_distinct(pick, between(0, 5), (int)npubs), c = 0; c < n;
         c++) {
      const struct pub *p = &pubs[pick[c]];
      fprintf(out, "<%s/%s%d/Publication%d> " UB "publicationAuthor> ",
              dept_iri, rank_name[p->rank], p->who, p->num);
      node(k, i);
      fputs(" .\n", out);
    }
    if (role[i] > 0) {
      node(k, i);
      fputs(" " RDF_TYPE " " UB "TeachingAssistant> .\n", out);
      edge(k, i, "teachingAssistantOf", "Course", role[i] - 1);
    } else if (role[i] < 0) {
      node(k, i);
      fputs(" " RDF_TYPE " " UB "ResearchAssistant> .\n", out);
    }
  }

  for (int g = between(10, 20), i = 0; i < g; i++) {
    node("ResearchGroup", i);
    fputs(" " RDF_TYPE " " UB "ResearchGroup> .\n", out);
    to_dept("ResearchGroup", i, "subOrganizationOf");
  }
  free(role);
  free(ta_course);
  free(order);
  free(pubs);
}

int main(int argc, char **argv)
{
  long univs = 1;
  unsigned long long seed = 0;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
      univs = strtol(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      path = argv[++i];
    } else {
      fprintf(stderr, "usage: lubmgen [-u UNIVERSITIES] [-s SEED] [-o FILE]\n");
      return 2;
    }
  }
  if (univs < 1 || univs > 100000) {
    fprintf(stderr, "lubmgen: universities: 1 to 100000\n");
    return 2;
  }
  out = path ? fopen(path, "w") : stdout;
  if (!out) {
    perror(path);
    return 1;
  }
  static char buf[1 << 20];
  setvbuf(out, buf, _IOFBF, sizeof buf);
  rng_state = seed;
  for (long u = 0; u < univs; u++) {
    university((int)u);
    fprintf(out,
            "<http://www.University%ld.edu> " UB "name> \"University%ld\" .\n",
            u, u);
    for (int d = 0, n = between(15, 25); d < n; d++) {
      department((int)u, d);
    }
  }
  if (fflush(out) != 0 || ferror(out) || (path && fclose(out) != 0)) {
    perror(path ? path : "stdout");
    return 1;
  }
  return 0;
}
