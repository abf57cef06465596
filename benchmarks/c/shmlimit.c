/*
 * The machine's limit for the benchmark table: the bare system calls behind create and attach, and memcpy for bulk
 * copies, timed the same way as the Java and Python figures (rounds of many operations, per-operation time of each
 * round). Prints one JSON object: {"workload": {"unit": "ns/op", "rounds": [...]}, ...}.
 *
 *   gcc -O2 -o shmlimit shmlimit.c -lrt
 *   ./shmlimit [rounds] [ops-per-round] [bulk-rounds]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK_SIZE 4096
#define BULK_SIZE ((size_t) 256 << 20)

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the compiler from dropping a copy whose result nobody reads. */
static void clobber(void *p) {
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void die(const char *what) {
	perror(what);
	exit(1);
}

static unsigned long counter;

static void next_name(char *name, size_t size) {
	/* A counter, not random bytes: the limit leaves out the cost of drawing a name. */
	snprintf(name, size, "/climit_%d_%lu", (int) getpid(), counter++);
}

/* shm_open + ftruncate + mmap, then close + munmap + shm_unlink: what create, close and unlink must do. */
static void create_close_unlink(void) {
	char name[64];
	next_name(name, sizeof name);
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0) die("shm_open");
	if (ftruncate(fd, BLOCK_SIZE) != 0) die("ftruncate");
	void *p = mmap(NULL, BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) die("mmap");
	close(fd);
	munmap(p, BLOCK_SIZE);
	if (shm_unlink(name) != 0) die("shm_unlink");
}

/* shm_open + fstat (the size comes from the block) + mmap, then close + munmap: what attach and close must do. */
static void attach_close(const char *name) {
	int fd = shm_open(name, O_RDWR, 0600);
	if (fd < 0) die("shm_open attach");
	struct stat st;
	if (fstat(fd, &st) != 0) die("fstat");
	void *p = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) die("mmap attach");
	close(fd);
	munmap(p, (size_t) st.st_size);
}

static char *fresh_block(char *name, size_t name_size) {
	next_name(name, name_size);
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0) die("shm_open bulk");
	if (ftruncate(fd, BULK_SIZE) != 0) die("ftruncate bulk");
	char *p = mmap(NULL, BULK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) die("mmap bulk");
	close(fd);
	return p;
}

static void drop_block(const char *name, char *p) {
	munmap(p, BULK_SIZE);
	shm_unlink(name);
}

static void print_rounds(const char *workload, const double *rounds, int n, int last) {
	printf("  \"%s\": {\"unit\": \"ns/op\", \"rounds\": [", workload);
	for (int i = 0; i < n; i++) printf("%s%.1f", i ? ", " : "", rounds[i]);
	printf("]}%s\n", last ? "" : ",");
}

int main(int argc, char **argv) {
	int rounds = argc > 1 ? atoi(argv[1]) : 10;
	int ops = argc > 2 ? atoi(argv[2]) : 2000;
	int bulk_rounds = argc > 3 ? atoi(argv[3]) : 5;
	double *times = calloc((size_t) (rounds > bulk_rounds ? rounds : bulk_rounds), sizeof(double));
	char name[64];

	printf("{\n");

	for (int i = 0; i < ops; i++) create_close_unlink(); /* warm-up */
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = now_ns();
		for (int i = 0; i < ops; i++) create_close_unlink();
		times[r] = (double) (now_ns() - t0) / ops;
	}
	print_rounds("create_close_unlink", times, rounds, 0);

	next_name(name, sizeof name);
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, BLOCK_SIZE) != 0) die("attach target");
	close(fd);
	for (int i = 0; i < ops; i++) attach_close(name);
	for (int r = 0; r < rounds; r++) {
		int64_t t0 = now_ns();
		for (int i = 0; i < ops; i++) attach_close(name);
		times[r] = (double) (now_ns() - t0) / ops;
	}
	shm_unlink(name);
	print_rounds("attach_close", times, rounds, 0);

	char *source = malloc(BULK_SIZE);
	char *target = malloc(BULK_SIZE);
	if (!source || !target) die("malloc");
	for (size_t i = 0; i < BULK_SIZE; i++) source[i] = (char) (i * 31 + 7);
	memset(target, 1, BULK_SIZE);

	/* First touch: a fresh block is created and copied into (or out of) at once, creation included. */
	for (int r = 0; r < bulk_rounds; r++) {
		int64_t t0 = now_ns();
		char *block = fresh_block(name, sizeof name);
		memcpy(block, source, BULK_SIZE);
		clobber(block);
		times[r] = (double) (now_ns() - t0);
		drop_block(name, block);
	}
	print_rounds("bulk_first_touch_in", times, bulk_rounds, 0);
	for (int r = 0; r < bulk_rounds; r++) {
		int64_t t0 = now_ns();
		char *block = fresh_block(name, sizeof name);
		memcpy(target, block, BULK_SIZE);
		clobber(target);
		times[r] = (double) (now_ns() - t0);
		drop_block(name, block);
	}
	print_rounds("bulk_first_touch_out", times, bulk_rounds, 0);

	/* Warm: every page of the block is allocated and mapped. */
	char *block = fresh_block(name, sizeof name);
	memcpy(block, source, BULK_SIZE);
	for (int r = 0; r < bulk_rounds; r++) {
		int64_t t0 = now_ns();
		memcpy(block, source, BULK_SIZE);
		clobber(block);
		times[r] = (double) (now_ns() - t0);
	}
	print_rounds("bulk_warm_in", times, bulk_rounds, 0);
	for (int r = 0; r < bulk_rounds; r++) {
		int64_t t0 = now_ns();
		memcpy(target, block, BULK_SIZE);
		clobber(target);
		times[r] = (double) (now_ns() - t0);
	}
	print_rounds("bulk_warm_out", times, bulk_rounds, 1);
	drop_block(name, block);

	printf("}\n");
	return 0;
}
