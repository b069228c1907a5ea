# A partnership "seit 2015" written as a plain string, not a year.
# expect: a partnership has at most one start date
PREFIX rit:     <ontology#>
PREFIX place:   <id/place/>
PREFIX orgn:    <id/organisation/>
PREFIX deleg:   <id/delegation/>
PREFIX prog:    <id/programme/>
PREFIX sel:     <id/selection/>
PREFIX app:     <id/application/>
PREFIX part:    <id/partnership/>
PREFIX ev:      <id/event/>
PREFIX market:  <id/market/>
PREFIX ind:     <id/indicator/>
PREFIX dist:    <id/distance/>
PREFIX ann:     <id/announcement/>
PREFIX q:       <id/announcement/mini/quote/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

INSERT DATA { GRAPH <graph/reference> { part:cluster-kitakyushu rit:startDate "seit 2015" } }
