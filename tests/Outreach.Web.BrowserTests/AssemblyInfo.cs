// One browser test class at a time: each class has its own host (with its scheduler) and its own chromium, and seven
// of them at once on two cores made a page's load event miss the 45 s timeout now and then.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
