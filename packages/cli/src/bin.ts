console.log("trailscan")
