/*
 * parallel.c - a fork-join task pool on POSIX threads for the extraction of
 * one ROI (the "threads" setting). Tasks are handed out in index order from
 * a shared counter. Each task writes only its own result slot, so callers
 * assemble results by index and never depend on the completion order.
 */
#include <pthread.h>

#include "internal.h"

typedef struct task_pool {
    pthread_mutex_t lock;
    size_t next;         /* index of the next task to hand out */
    size_t n_tasks;
    size_t first_failed; /* lowest index whose task failed; n_tasks while no task has failed */
    ri_task_fn fn;
    void *context;
} task_pool;

/* Runs tasks until none is left or every remaining index is past a failure. */
static void *pool_worker(void *arg)
{
    task_pool *pool = arg;

    for (;;) {
        size_t index;

        pthread_mutex_lock(&pool->lock);
        index = pool->next;
        if (index >= pool->n_tasks || index > pool->first_failed) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        pool->next++;
        pthread_mutex_unlock(&pool->lock);

        if (pool->fn(pool->context, index) != RAD_OK) {
            pthread_mutex_lock(&pool->lock);
            if (index < pool->first_failed)
                pool->first_failed = index;
            pthread_mutex_unlock(&pool->lock);
        }
    }
}

size_t ri_parallel_run(int n_threads, size_t n_tasks, ri_task_fn fn, void *context)
{
    enum { MAX_WORKERS = RI_MAX_THREADS - 1 };
    pthread_t workers[MAX_WORKERS];
    task_pool pool;
    size_t n_workers, started = 0;

    if (n_threads <= 1 || n_tasks <= 1) {
        for (size_t i = 0; i < n_tasks; i++)
            if (fn(context, i) != RAD_OK)
                return i;
        return n_tasks;
    }

    pool.next = 0;
    pool.n_tasks = n_tasks;
    pool.first_failed = n_tasks;
    pool.fn = fn;
    pool.context = context;
    if (pthread_mutex_init(&pool.lock, NULL) != 0)
        return ri_parallel_run(1, n_tasks, fn, context);

    /* The calling thread is one of the n_threads workers. */
    n_workers = (size_t)(n_threads > RI_MAX_THREADS ? RI_MAX_THREADS : n_threads) - 1;
    if (n_workers > n_tasks - 1)
        n_workers = n_tasks - 1;
    /* A worker that cannot be started leaves its tasks to the others. */
    while (started < n_workers &&
           pthread_create(&workers[started], NULL, pool_worker, &pool) == 0)
        started++;
    pool_worker(&pool);
    for (size_t t = 0; t < started; t++)
        pthread_join(workers[t], NULL);
    pthread_mutex_destroy(&pool.lock);
    return pool.first_failed;
}
