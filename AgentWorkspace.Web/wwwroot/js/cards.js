// Loads more of a long list when its end scrolls into view (the card's message history).
export function observeEnd(element, dotnet) {
  const observer = new IntersectionObserver(entries => {
    if (entries.some(e => e.isIntersecting)) dotnet.invokeMethodAsync("LoadMore");
  }, { rootMargin: "300px" });
  observer.observe(element);
  return observer;
}
