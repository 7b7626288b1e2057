// Start-up mark of the minimal reference window (BENCHMARKS.md), taken as Sene's: the first frame
// drawn once its button, the page's interactive element, is in the page.
requestAnimationFrame(() => performance.mark('sene:interactive'));
